import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsDefined, IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateBy } from 'class-validator';
import { IsBrin, IsMunicipalityCode, IsPostcode, NormalisePostcode } from '../common/dutch-validators';
import { ReportKind } from '../kernel/report-codes';
import { NotNullWhenSent } from '../common/validation';
import { Location } from './location.entity';
import { Organisation } from './organisation.entity';
import { Reporter } from './reporter.entity';
import { OrganisationType } from '../kernel/organisation-type';

export class OrganisationView {
  @ApiProperty({ description: 'BRIN (school), CBS-code (gemeente, GM0363), RMCnn (RMC-regio) of eigen code (regionaal bureau)', example: 'GM0363' })
  code: string;
  @ApiProperty({ enum: OrganisationType })
  type: OrganisationType;
  @ApiProperty({ example: 'Amsterdam' })
  name: string;
  @ApiPropertyOptional({ type: String, description: 'Gemeente: de RMC-regio', example: 'RMC21', nullable: true })
  rmcRegion?: string | null;
  @ApiPropertyOptional({ type: String, description: 'Gemeente: het regionaal bureau leerplicht dat haar meldingen ontvangt', nullable: true })
  delegate?: string | null;
  @ApiProperty()
  active: boolean;

  static of(o: Organisation, codes: Map<string, string> = new Map()): OrganisationView {
    return {
      code: o.code,
      type: o.type,
      name: o.name,
      ...(o.type === OrganisationType.GEMEENTE
        ? { rmcRegion: o.rmcRegionId ? codes.get(o.rmcRegionId) ?? null : null, delegate: o.delegateId ? codes.get(o.delegateId) ?? null : null }
        : {}),
      active: o.active,
    };
  }
}

export class LocationInput {
  @ApiProperty({ description: 'De twee cijfers na de BRIN (vestigingsnummer)', example: '01' })
  @IsDefined() @IsString() @Matches(/^\d{2}$/, { message: 'moet twee cijfers zijn, bijv. 01' })
  code: string;

  @ApiProperty({ example: 'De Regenboog, locatie Noord' })
  @IsDefined() @IsString() @MinLength(1) @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ example: 'Schoolstraat' })
  @IsOptional() @IsString() @MaxLength(200)
  street?: string;

  @ApiPropertyOptional({ example: '12a' })
  @IsOptional() @IsString() @MaxLength(20)
  houseNumber?: string;

  @ApiPropertyOptional({ example: '1234 AB' })
  @IsOptional() @NormalisePostcode() @IsPostcode()
  postcode?: string;

  @ApiPropertyOptional({ example: 'Amsterdam' })
  @IsOptional() @IsString() @MaxLength(200)
  place?: string;

  @ApiPropertyOptional({ description: 'CBS-code van de gemeente van de vestiging', example: 'GM0363' })
  @IsOptional() @IsMunicipalityCode()
  municipalityCode?: string;
}

export class LocationChange {
  @ApiPropertyOptional() @NotNullWhenSent() @IsString() @MinLength(1) @MaxLength(200)
  name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200)
  street?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(20)
  houseNumber?: string;
  @ApiPropertyOptional() @IsOptional() @NormalisePostcode() @IsPostcode()
  postcode?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200)
  place?: string;
  @ApiPropertyOptional() @IsOptional() @IsMunicipalityCode()
  municipalityCode?: string;
  @ApiPropertyOptional({ description: 'false: gedeactiveerd, niet meer te kiezen op nieuwe meldingen' }) @NotNullWhenSent() @IsBoolean()
  active?: boolean;
}

export class LocationView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'Vestigingscode: BRIN + twee cijfers', example: '00ZV01' }) vestigingscode: string;
  @ApiProperty({ example: '01' }) code: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true }) street: string | null;
  @ApiProperty({ type: String, nullable: true }) houseNumber: string | null;
  @ApiProperty({ type: String, nullable: true, example: '1234 AB' }) postcode: string | null;
  @ApiProperty({ type: String, nullable: true }) place: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'GM0363' }) municipalityCode: string | null;
  @ApiProperty() active: boolean;

  static of(l: Location, brin: string): LocationView {
    return {
      id: l.id, vestigingscode: brin + l.code, code: l.code, name: l.name, street: l.street, houseNumber: l.houseNumber,
      postcode: l.postcode, place: l.place, municipalityCode: l.municipality?.code ?? null, active: l.active,
    };
  }
}

const PHONE = /^\+?[0-9 ()-]{6,20}$/;

export class ReporterInput {
  @ApiProperty({ example: 'J. de Vries' }) @IsDefined() @IsString() @MinLength(1) @MaxLength(200)
  name: string;
  @ApiProperty({ example: 'Verzuimcoördinator' }) @IsDefined() @IsString() @MinLength(1) @MaxLength(200)
  function: string;
  @ApiProperty({ example: '020 123 4567' }) @IsDefined() @IsString() @Matches(PHONE, { message: 'is geen geldig telefoonnummer' })
  phone: string;
  @ApiProperty({ example: 'verzuim@school.example' }) @IsDefined() @IsString() @IsEmail({}, { message: 'is geen geldig e-mailadres' }) @MaxLength(254)
  email: string;
}

export class ReporterChange {
  @ApiPropertyOptional() @NotNullWhenSent() @IsString() @MinLength(1) @MaxLength(200)
  name?: string;
  @ApiPropertyOptional() @NotNullWhenSent() @IsString() @MinLength(1) @MaxLength(200)
  function?: string;
  @ApiPropertyOptional() @NotNullWhenSent() @IsString() @Matches(PHONE, { message: 'is geen geldig telefoonnummer' })
  phone?: string;
  @ApiPropertyOptional() @NotNullWhenSent() @IsString() @IsEmail({}, { message: 'is geen geldig e-mailadres' }) @MaxLength(254)
  email?: string;
  @ApiPropertyOptional({ description: 'false: gedeactiveerd, niet meer te kiezen op nieuwe meldingen' }) @NotNullWhenSent() @IsBoolean()
  active?: boolean;
}

export class ReporterView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() function: string;
  @ApiProperty() phone: string;
  @ApiProperty() email: string;
  @ApiProperty() active: boolean;

  static of(r: Reporter): ReporterView {
    return { id: r.id, name: r.name, function: r.function, phone: r.phone, email: r.email, active: r.active };
  }
}

export class OrganisationQuery {
  @ApiPropertyOptional({ enum: OrganisationType }) @IsOptional() @IsIn(Object.values(OrganisationType))
  type?: OrganisationType;
}

// The operator's reference data (portal: /organisaties).

export const SCHOOL_SECTORS = ['PO', 'VO', 'MBO', 'SO'] as const;

/** A regional office's own code: 3-20 letters, digits or dashes, and not in the form of a BRIN, municipality or RMC code. */
export function isOfficeCode(code: string): boolean {
  const c = code.toUpperCase();
  return /^[A-Z0-9-]{3,20}$/.test(c) && !/^(GM\d{4}|RMC\d{2}|\d{2}[A-Z0-9]{2})$/.test(c);
}
export const OFFICE_CODE_MESSAGE = '3 tot 20 letters, cijfers of streepjes (bijv. RBL-HNZ), niet in de vorm van een BRIN-, gemeente- of RMC-code';

/** Codes are written in capitals; what was typed in lower case is meant the same. */
const Upper = () => Transform(({ value }) => (typeof value === 'string' ? value.trim().toUpperCase() : value));

export class NewSchoolInput {
  @ApiProperty({ example: '00ZV' }) @Upper() @IsDefined() @IsString() @IsBrin()
  brin: string;
  @ApiProperty({ example: 'De Regenboog' }) @IsDefined() @IsString() @MinLength(1) @MaxLength(200)
  name: string;
  @ApiProperty({ enum: SCHOOL_SECTORS }) @IsDefined() @IsIn(SCHOOL_SECTORS)
  sector: string;
}

export class NewOfficeInput {
  @ApiProperty({ example: 'RBL-HNZ' }) @Upper() @IsDefined() @IsString()
  @ValidateBy({ name: 'isOfficeCode', validator: { validate: (v: unknown) => typeof v === 'string' && isOfficeCode(v) } }, { message: OFFICE_CODE_MESSAGE })
  code: string;
  @ApiProperty({ example: 'Regionaal Bureau Leerplicht Holland Noord' }) @IsDefined() @IsString() @MinLength(1) @MaxLength(200)
  name: string;
}

/** The regional office a municipality hands its reports to; none: the municipality receives them itself. */
export class DelegationInput {
  @ApiPropertyOptional({ example: 'RBL-HNZ' }) @Upper() @IsOptional() @IsString() @MaxLength(20)
  office?: string;
}

/** A municipality's alternative routing for one kind of report; no target: the rule is removed. */
export class RoutingRuleInput {
  @ApiProperty({ example: 'GM0363' }) @Upper() @IsDefined() @IsString() @IsMunicipalityCode()
  municipality: string;
  @ApiProperty({ enum: ReportKind }) @IsDefined() @IsIn(Object.values(ReportKind))
  kind: ReportKind;
  @ApiPropertyOptional({ example: 'RMC21' }) @Upper() @IsOptional() @IsString() @MaxLength(20)
  target?: string;
}

/** Searching the organisations: by kind, by a part of the code or name; a page after or before a code. */
export class OrganisationSearch {
  @IsOptional() @IsIn(Object.values(OrganisationType))
  type?: OrganisationType;
  @IsOptional() @IsString() @MaxLength(100)
  q?: string;
  @IsOptional() @IsString() @MaxLength(20)
  after?: string;
  @IsOptional() @IsString() @MaxLength(20)
  before?: string;
}

/** The form that comes with DUO's file: the sector of the schools it adds. */
export class DuoImportInput {
  @ApiProperty({ enum: SCHOOL_SECTORS }) @IsDefined() @IsIn(SCHOOL_SECTORS)
  sector: string;
}
