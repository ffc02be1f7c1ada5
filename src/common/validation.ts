import { applyDecorators, ValidationError, ValidationPipe } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsDefined, ValidateIf } from 'class-validator';
import { FieldCode, FieldError, invalid } from './problem';

/** class-validator constraint names and our own decorators' names, mapped to stable field codes and Dutch text. */
const CONSTRAINTS: Record<string, [FieldCode, string]> = {
  isDefined: [FieldCode.REQUIRED, 'is verplicht'],
  isNotEmpty: [FieldCode.REQUIRED, 'is verplicht'],
  whitelistValidation: [FieldCode.UNKNOWN_FIELD, 'is geen bekend veld'],
  isString: [FieldCode.WRONG_TYPE, 'moet tekst zijn'],
  isBoolean: [FieldCode.WRONG_TYPE, 'moet ja (true) of nee (false) zijn'],
  isInt: [FieldCode.WRONG_TYPE, 'moet een geheel getal zijn'],
  isNumber: [FieldCode.WRONG_TYPE, 'moet een getal zijn'],
  isArray: [FieldCode.WRONG_TYPE, 'moet een lijst zijn'],
  isObject: [FieldCode.WRONG_TYPE, 'moet een object zijn'],
  nestedValidation: [FieldCode.WRONG_TYPE, 'moet een object zijn'],
  isUuid: [FieldCode.INVALID_FORMAT, 'is geen geldige id'],
  maxLength: [FieldCode.TOO_LONG, 'is te lang'],
  minLength: [FieldCode.TOO_SHORT, 'is te kort'],
  min: [FieldCode.TOO_SMALL, 'is te klein'],
  max: [FieldCode.TOO_LARGE, 'is te groot'],
  arrayMaxSize: [FieldCode.TOO_MANY, 'heeft te veel elementen'],
  arrayMinSize: [FieldCode.REQUIRED, 'heeft te weinig elementen'],
  arrayUnique: [FieldCode.NOT_ALLOWED_VALUE, 'bevat dubbele waarden'],
  isEnum: [FieldCode.NOT_ALLOWED_VALUE, 'heeft geen toegestane waarde'],
  isIn: [FieldCode.NOT_ALLOWED_VALUE, 'heeft geen toegestane waarde'],
  isEmail: [FieldCode.INVALID_EMAIL, 'is geen geldig e-mailadres'],
  matches: [FieldCode.INVALID_FORMAT, 'heeft niet de juiste vorm'],
  isPgn: [FieldCode.INVALID_PGN, 'is geen geldig BSN of onderwijsnummer'],
  isBrin: [FieldCode.INVALID_BRIN, 'is geen geldige BRIN-code (bijv. 00ZV)'],
  isPostcode: [FieldCode.INVALID_POSTCODE, 'is geen geldige postcode (1234 AB)'],
  isMunicipalityCode: [FieldCode.INVALID_MUNICIPALITY_CODE, 'is geen geldige gemeentecode (bijv. GM0363)'],
  isIsoDate: [FieldCode.INVALID_DATE, 'is geen geldige datum (JJJJ-MM-DD)'],
  isPhone: [FieldCode.INVALID_FORMAT, 'is geen geldig telefoonnummer'],
};

/** Only the most telling refusal per field: a missing value says "required", not also "must be text". */
const PRECEDENCE = ['whitelistValidation', 'isDefined', 'isNotEmpty', 'isString', 'isInt', 'isBoolean', 'isArray', 'isObject'];

/** class-validator's own (English) default messages, which never reach a client. */
const ENGLISH_DEFAULT = /\b(must|should|each value|elements|property)\b/i;

export function toFieldErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = prefix ? (/^\d+$/.test(e.property) ? `${prefix}[${e.property}]` : `${prefix}.${e.property}`) : e.property;
    const constraints = e.constraints ?? {};
    const names = Object.keys(constraints);
    if (names.length > 0) {
      const first = PRECEDENCE.find((n) => n in constraints) ?? names[0];
      const [code, text] = CONSTRAINTS[first] ?? [FieldCode.INVALID_FORMAT, 'is niet geldig'];
      // A message written on the decorator (Dutch, specific) wins over the generic one.
      const own = constraints[first];
      const message = own && !ENGLISH_DEFAULT.test(own) && !own.startsWith(e.property) && !own.startsWith('elke waarde') ? own : text;
      out.push({ field, code, message: `${field}: ${message}` });
    }
    if (e.children && e.children.length > 0) out.push(...toFieldErrors(e.children, field));
  }
  return out;
}

/**
 * ValidationPipe that leaves a path or query value as the text it was: its own conversion of a parameter declared
 * as a number uses Number(), which reads "0x1", "1.0" and "+1" as 1. Parameters that are numbers parse their text
 * themselves, strictly (the meldingsnummer's pipe, ToInteger in query DTOs).
 */
class StrictValidationPipe extends ValidationPipe {
  protected override transformPrimitive(value: unknown): unknown {
    return value;
  }
}

/** The one global pipe: unknown fields refused, types transformed, errors as problem+json with field codes. */
export function validationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) => invalid(...toFieldErrors(errors)),
  });
}

/**
 * For a change (PATCH) of a field that cannot be empty: leaving it out is fine, sending null is refused as REQUIRED.
 * (`@IsOptional()` would let null through to the database.)
 */
export function NotNullWhenSent(): PropertyDecorator {
  return applyDecorators(
    ValidateIf((_: object, value: unknown) => value !== undefined),
    IsDefined({ message: 'mag niet leeg zijn' }),
  );
}

/**
 * A whole number sent as text (a query parameter): only plain decimal digits become a number. "0x1", "1.0", "+1",
 * "1e3" and " 1" stay text, so that @IsInt refuses them (422) instead of reading them as 1 (class-transformer's
 * `@Type(() => Number)` would).
 */
export function ToInteger(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^(0|[1-9]\d{0,15})$/.test(value) ? Number(value) : value));
}
