import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsDefined, IsEmail, IsEnum, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID,
  Matches, Max, MaxLength, Min, MinLength, ValidateIf, ValidateNested,
} from 'class-validator';
import { IsIsoDate, IsMunicipalityCode, IsPgn, IsPostcode, NormalisePgn, NormalisePostcode } from '../common/dutch-validators';
import { NotNullWhenSent, ToInteger } from '../common/validation';
import { ClosingExplanation, ClosingReason, EmailCopies, ReportKind, ReportStatus, Sex } from '../kernel/report-codes';

const PHONE = /^\+?[0-9 ()-]{6,20}$/;
const TEXT = 4000;

export class AddressInput {
  @ApiProperty({ example: 'Dorpsstraat' }) @IsDefined() @IsString() @MinLength(1) @MaxLength(200)
  street: string;
  @ApiProperty({ example: 12 }) @IsDefined() @IsInt() @Min(1) @Max(99999)
  houseNumber: number;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'a', description: 'Huisletter' }) @IsOptional() @IsString() @Matches(/^[A-Za-z]$/, { message: 'moet één letter zijn' })
  houseLetter?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'II', description: 'Huisnummertoevoeging' }) @IsOptional() @IsString() @Matches(/^[A-Za-z0-9]{1,4}$/, { message: 'moet 1 tot 4 letters of cijfers zijn' })
  houseNumberAddition?: string | null;
  @ApiProperty({ example: '1234 AB', description: 'Ook als 1234ab getypt; opgeslagen als 1234 AB' }) @IsDefined() @NormalisePostcode() @IsPostcode()
  postcode: string;
  @ApiProperty({ example: 'Amsterdam' }) @IsDefined() @IsString() @MinLength(1) @MaxLength(200)
  place: string;
  @ApiProperty({ example: 'GM0363', description: 'CBS-code van de gemeente waarin het adres ligt; bepaalt de ontvanger' })
  @IsDefined() @IsMunicipalityCode()
  municipalityCode: string;
}

export class PupilInput {
  @ApiProperty({ example: '123456782', description: 'Persoonsgebonden nummer: BSN (11-proef) of onderwijsnummer (begint met 10). Wordt versleuteld opgeslagen.' })
  @IsDefined() @NormalisePgn() @IsPgn()
  pgn: string;
  @ApiProperty({ example: 'J.P.' }) @IsDefined() @IsString() @MinLength(1) @MaxLength(20)
  initials: string;
  @ApiPropertyOptional({ example: 'van der' }) @IsOptional() @IsString() @MaxLength(20)
  prefix?: string;
  @ApiProperty({ example: 'Berg' }) @IsDefined() @IsString() @MinLength(1) @MaxLength(200)
  surname: string;
  @ApiProperty({ enum: Sex, description: 'M, V, X of O (onbekend)' }) @IsDefined() @IsEnum(Sex)
  sex: Sex;
  @ApiProperty({ example: '2011-03-14', description: 'Geboortedatum' }) @IsDefined() @IsIsoDate()
  birthDate: string;
  @ApiProperty({ type: AddressInput, description: 'Adres volgens de BRP' })
  @IsDefined() @IsObject() @ValidateNested() @Type(() => AddressInput)
  registeredAddress: AddressInput;
  @ApiPropertyOptional({ type: AddressInput, nullable: true, description: 'Afwijkend (werkelijk) verblijfsadres; bepaalt dan de ontvanger' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => AddressInput)
  residenceAddress?: AddressInput | null;
  @ApiPropertyOptional({ example: '06 12345678', description: 'Telefoonnummer van ouder of leerling' })
  @IsOptional() @IsString() @Matches(PHONE, { message: 'is geen geldig telefoonnummer' })
  phone?: string;
  @ApiPropertyOptional({ example: 'LL-20931', description: 'Leerlingnummer van de school' }) @IsOptional() @IsString() @MaxLength(50)
  studentNumber?: string;
}

export class AbsenceDayInput {
  @ApiProperty({ example: '2026-11-02' }) @IsDefined() @IsIsoDate()
  date: string;
  @ApiProperty({ type: 'integer', isArray: true, example: [1, 2, 3], description: 'Gemiste lesuren 1-12' })
  @IsDefined() @IsArray() @ArrayMaxSize(12) @ArrayUnique() @IsInt({ each: true }) @Min(1, { each: true }) @Max(12, { each: true })
  lessonHours: number[];
}

/** The verzuimmelding as the school files it. */
export class CreateReportInput {
  @ApiProperty({ type: PupilInput }) @IsDefined() @IsObject() @ValidateNested() @Type(() => PupilInput)
  pupil: PupilInput;

  @ApiProperty({ enum: ReportKind, description: 'Vermoedelijke soort verzuim' }) @IsDefined() @IsEnum(ReportKind)
  kind: ReportKind;

  @ApiProperty({ example: 'Blijft thuis sinds ruzie in de klas', description: 'Vermoedelijke reden' })
  @IsDefined() @IsString() @MinLength(1) @MaxLength(TEXT)
  reason: string;

  @ApiProperty({ example: '2026-10-05', description: 'Eerste dag van het verzuim' }) @IsDefined() @IsIsoDate()
  beginDate: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: '2026-10-16', description: 'Verplicht bij 16U (dag waarop de 16 uur bereikt werden), LRV en RMC' })
  @IsOptional() @IsIsoDate()
  endDate?: string | null;

  @ApiProperty({ description: 'Alle lessen gemist' }) @IsDefined() @IsBoolean()
  allLessonsMissed: boolean;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Toelichting verzuim' }) @IsOptional() @IsString() @MaxLength(TEXT)
  absenceExplanation?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Door school ondernomen actie' }) @IsOptional() @IsString() @MaxLength(TEXT)
  schoolAction?: string | null;

  @ApiProperty({ description: 'Actie door gemeente gewenst' }) @IsDefined() @IsBoolean()
  actionWanted: boolean;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Verplicht als actionWanted false is: waarom geen actie' }) @IsOptional() @IsString() @MaxLength(TEXT)
  actionWantedExplanation?: string | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, example: 3, description: 'Gemiste dagen' }) @IsOptional() @IsInt() @Min(0) @Max(366)
  daysMissed?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, example: 16, description: 'Gemiste lesuren' }) @IsOptional() @IsInt() @Min(0) @Max(5000)
  hoursMissed?: number | null;

  @ApiPropertyOptional({ type: [AbsenceDayInput], nullable: true, description: 'Verzuimspecificatie per dag' })
  @IsOptional() @IsArray() @ArrayMaxSize(400) @ValidateNested({ each: true }) @Type(() => AbsenceDayInput)
  absenceDays?: AbsenceDayInput[] | null;

  @ApiProperty({ example: '00ZV01', description: 'Vestigingscode (BRIN + 2 cijfers) van een locatie van de eigen school' })
  @IsDefined() @IsString() @Matches(/^[0-9]{2}[A-Z0-9]{2}[0-9]{2}$/, { message: 'moet een vestigingscode zijn, bijv. 00ZV01' })
  locationCode: string;

  @ApiProperty({ format: 'uuid', description: 'Een geregistreerde melder van de eigen school' }) @IsDefined() @IsUUID('all', { message: 'is geen geldige id' })
  reporterId: string;

  @ApiProperty({ enum: EmailCopies, description: 'Wie van de school een kopie krijgt van berichten van de ontvanger' })
  @IsDefined() @IsEnum(EmailCopies)
  emailCopies: EmailCopies;
}

export class PupilChange {
  @ApiPropertyOptional() @NotNullWhenSent() @NormalisePgn() @IsPgn() pgn?: string;
  @ApiPropertyOptional() @NotNullWhenSent() @IsString() @MinLength(1) @MaxLength(20) initials?: string;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() @MaxLength(20) prefix?: string | null;
  @ApiPropertyOptional() @NotNullWhenSent() @IsString() @MinLength(1) @MaxLength(200) surname?: string;
  @ApiPropertyOptional({ enum: Sex }) @NotNullWhenSent() @IsEnum(Sex) sex?: Sex;
  @ApiPropertyOptional() @NotNullWhenSent() @IsIsoDate() birthDate?: string;
  @ApiPropertyOptional({ type: AddressInput }) @NotNullWhenSent() @IsObject() @ValidateNested() @Type(() => AddressInput) registeredAddress?: AddressInput;
  @ApiPropertyOptional({ type: AddressInput, nullable: true, description: 'null verwijdert het afwijkende adres' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => AddressInput) residenceAddress?: AddressInput | null;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() @Matches(PHONE, { message: 'is geen geldig telefoonnummer' }) phone?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() @MaxLength(50) studentNumber?: string | null;
}

/** A change by the school: only the fields sent change; null clears an optional field. Needs If-Match. */
export class ChangeReportInput {
  @ApiPropertyOptional({ type: PupilChange }) @NotNullWhenSent() @IsObject() @ValidateNested() @Type(() => PupilChange) pupil?: PupilChange;
  @ApiPropertyOptional({ enum: ReportKind }) @NotNullWhenSent() @IsEnum(ReportKind) kind?: ReportKind;
  @ApiPropertyOptional() @NotNullWhenSent() @IsString() @MinLength(1) @MaxLength(TEXT) reason?: string;
  @ApiPropertyOptional() @NotNullWhenSent() @IsIsoDate() beginDate?: string;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsIsoDate() endDate?: string | null;
  @ApiPropertyOptional() @NotNullWhenSent() @IsBoolean() allLessonsMissed?: boolean;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() @MaxLength(TEXT) absenceExplanation?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() @MaxLength(TEXT) schoolAction?: string | null;
  @ApiPropertyOptional() @NotNullWhenSent() @IsBoolean() actionWanted?: boolean;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() @MaxLength(TEXT) actionWantedExplanation?: string | null;
  @ApiPropertyOptional({ type: 'integer', nullable: true }) @IsOptional() @IsInt() @Min(0) @Max(366) daysMissed?: number | null;
  @ApiPropertyOptional({ type: 'integer', nullable: true }) @IsOptional() @IsInt() @Min(0) @Max(5000) hoursMissed?: number | null;
  @ApiPropertyOptional({ type: [AbsenceDayInput], nullable: true })
  @IsOptional() @IsArray() @ArrayMaxSize(400) @ValidateNested({ each: true }) @Type(() => AbsenceDayInput) absenceDays?: AbsenceDayInput[] | null;
  @ApiPropertyOptional({ example: '00ZV01' }) @NotNullWhenSent() @IsString() @Matches(/^[0-9]{2}[A-Z0-9]{2}[0-9]{2}$/, { message: 'moet een vestigingscode zijn, bijv. 00ZV01' }) locationCode?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @NotNullWhenSent() @IsUUID('all', { message: 'is geen geldige id' }) reporterId?: string;
  @ApiPropertyOptional({ enum: EmailCopies }) @NotNullWhenSent() @IsEnum(EmailCopies) emailCopies?: EmailCopies;
}

export class MunicipalContactInput {
  @ApiProperty({ example: 'A. Jansen' }) @IsDefined() @IsString() @MinLength(1) @MaxLength(200) name: string;
  @ApiPropertyOptional({ example: 'Leerplichtambtenaar' }) @IsOptional() @IsString() @MaxLength(200) function?: string;
  @ApiPropertyOptional({ example: '020 555 0101' }) @IsOptional() @IsString() @Matches(PHONE, { message: 'is geen geldig telefoonnummer' }) phone?: string;
  @ApiPropertyOptional({ example: 'leerplicht@gemeente.example' }) @IsOptional() @IsString() @IsEmail({}, { message: 'is geen geldig e-mailadres' }) email?: string;
}

const RECEIVER_STATUSES = [ReportStatus.IN_BEHANDELING, ReportStatus.AFGESLOTEN, ReportStatus.TER_KENNISNEMING_AANGENOMEN];

export class StatusChangeInput {
  @ApiProperty({
    enum: RECEIVER_STATUSES,
    description: 'IN_BEHANDELING (ook: heropenen van een afgesloten melding), AFGESLOTEN (met closingReason en closingExplanation) of TER_KENNISNEMING_AANGENOMEN',
  })
  @IsDefined() @IsIn(RECEIVER_STATUSES)
  status: ReportStatus;

  @ApiPropertyOptional({ enum: ClosingReason, description: 'Verplicht bij AFGESLOTEN' })
  @ValidateIf((o: StatusChangeInput) => o.status === ReportStatus.AFGESLOTEN || o.closingReason !== undefined)
  @IsDefined({ message: 'is verplicht bij afsluiten' }) @IsEnum(ClosingReason)
  closingReason?: ClosingReason;

  @ApiPropertyOptional({ enum: ClosingExplanation, description: 'Verplicht bij AFGESLOTEN' })
  @ValidateIf((o: StatusChangeInput) => o.status === ReportStatus.AFGESLOTEN || o.closingExplanation !== undefined)
  @IsDefined({ message: 'is verplicht bij afsluiten' }) @IsEnum(ClosingExplanation)
  closingExplanation?: ClosingExplanation;

  @ApiPropertyOptional({ type: MunicipalContactInput, description: 'Contactpersoon van de gemeente voor de school' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => MunicipalContactInput)
  contact?: MunicipalContactInput;
}

export class MessageInput {
  @ApiProperty({ example: 'Wij hebben de ouders uitgenodigd voor een gesprek.' })
  @IsDefined() @IsString() @MinLength(1) @MaxLength(TEXT)
  body: string;
}

export class ForwardInput {
  @ApiProperty({ example: 'GM0344', description: 'Code van de ontvangende organisatie: gemeente, regionaal bureau of RMC-regio' })
  @IsDefined() @IsString() @MinLength(2) @MaxLength(20)
  to: string;

  @ApiPropertyOptional({ example: 'Leerling is verhuisd naar Utrecht' }) @IsOptional() @IsString() @MaxLength(TEXT)
  explanation?: string;
}

export class WithdrawInput {
  @ApiPropertyOptional({ example: 'Ten onrechte gemeld: ziekmelding kwam later binnen' }) @IsOptional() @IsString() @MaxLength(TEXT)
  explanation?: string;
}

export const REPORT_SORTS = ['-number', 'number', 'status', '-status'] as const;
export type ReportSort = (typeof REPORT_SORTS)[number];

export class ReportQuery {
  @ApiPropertyOptional({ type: String, description: 'Ingediend op of na (JJJJ-MM-DD)' }) @IsOptional() @IsIsoDate() from?: string;
  @ApiPropertyOptional({ type: String, description: 'Ingediend op of voor (JJJJ-MM-DD)' }) @IsOptional() @IsIsoDate() to?: string;
  @ApiPropertyOptional({ enum: ReportKind }) @IsOptional() @IsEnum(ReportKind) kind?: ReportKind;
  @ApiPropertyOptional({ enum: ReportStatus }) @IsOptional() @IsEnum(ReportStatus) status?: ReportStatus;
  @ApiPropertyOptional({ example: '00ZV01', description: 'Vestigingscode' }) @IsOptional() @IsString() @Matches(/^[0-9]{2}[A-Z0-9]{2}[0-9]{2}$/) location?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID('all') reporterId?: string;
  @ApiPropertyOptional({ type: 'integer', description: 'Meldingsnummer' }) @IsOptional() @ToInteger() @IsInt() @Min(1) @Max(2147483647) number?: number;
  @ApiPropertyOptional({ type: 'integer', default: 50, description: 'Aantal per pagina (1-200, standaard 50)' }) @IsOptional() @ToInteger() @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'Vervolgcursor: nextCursor van de vorige pagina' }) @IsOptional() @ToInteger() @IsInt() @Min(1) @Max(2147483647) after?: number;
  @ApiPropertyOptional({ enum: REPORT_SORTS, description: 'Volgorde: nummer (= datum van melden) of status (nieuw, in behandeling, afgesloten, ingetrokken); - ervoor: aflopend (standaard -number)' })
  @IsOptional() @IsIn(REPORT_SORTS) sort?: ReportSort;
  @ApiPropertyOptional({ example: '00ZV', description: 'BRIN van de school die meldde (voor een ontvanger; GET /api/v1/reports/schools geeft de lijst)' })
  @IsOptional() @IsString() @Matches(/^[0-9]{2}[A-Z0-9]{2}$/, { message: 'moet een BRIN-code zijn, bijv. 00ZV' }) school?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Ontvanger: alleen meldingen in behandeling bij deze medewerker (GET /api/v1/reports/officers geeft de lijst)' })
  @IsOptional() @IsUUID('all', { message: 'is geen geldige id' }) assignedTo?: string;
}

/** The same filters, plus the pupil's PGN: sent in the body, so that it never appears in a URL. */
export class ReportSearchInput extends ReportQuery {
  @ApiPropertyOptional({ example: '123456782', description: 'Exact BSN of onderwijsnummer' }) @IsOptional() @NormalisePgn() @IsPgn() pgn?: string;
  @ApiPropertyOptional({
    example: 'berg', minLength: 2, maxLength: 100,
    description: 'Achternaam (met tussenvoegsel) of een deel ervan, zonder onderscheid tussen hoofd- en kleine letters of accenten; twee letters: het begin van de naam',
  })
  @IsOptional() @IsString() @MinLength(2) @MaxLength(100) name?: string;
  @ApiPropertyOptional({ type: String, format: 'date', example: '2011-03-14', description: 'Geboortedatum van de leerling' }) @IsOptional() @IsIsoDate() birthDate?: string;
}

export class AssignInput {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'De medewerker (behandelaar) van de ontvangende organisatie; null: niemand' })
  @IsDefined({ message: 'is verplicht (null: niemand)' }) @ValidateIf((_, v) => v !== null) @IsUUID('all', { message: 'is geen geldige id' })
  userId: string | null;

  @ApiPropertyOptional({ description: 'Ook contactpersoon voor de school maken (naam, e-mail); standaard nee: de school ziet de toewijzing niet' })
  @IsOptional() @IsBoolean() asContact?: boolean;
}

export class ChangesQuery {
  @ApiPropertyOptional({ description: 'Cursor uit de vorige aanroep (nextCursor); zonder: vanaf het begin' })
  @IsOptional() @IsString() @MaxLength(60)
  after?: string;
  @ApiPropertyOptional({ type: 'integer', default: 100, description: 'Aantal (1-500, standaard 100)' }) @IsOptional() @ToInteger() @IsInt() @Min(1) @Max(500) limit?: number;
}
