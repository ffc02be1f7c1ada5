import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsDefined, IsEmail, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { Role } from './permissions';
import { TokenKind, User, UserStatus } from './user.entity';
import { OrganisationType } from '../kernel/organisation-type';

export class PasswordStepInput {
  @ApiProperty({ example: 'j.devries' }) @IsDefined() @IsString() @MinLength(1) @MaxLength(100)
  username: string;
  @ApiProperty({ format: 'password' }) @IsDefined() @IsString() @MinLength(1) @MaxLength(1024)
  password: string;
}

export class CodeStepInput {
  @ApiProperty({ example: '123456', description: 'De code van de app of het token (6 cijfers)' }) @IsDefined() @IsString() @MaxLength(20)
  code: string;
}

export class ActivationInspectInput {
  @ApiProperty({ description: 'De code uit de activeringslink of de brief' }) @IsDefined() @IsString() @MinLength(1) @MaxLength(100)
  activationCode: string;
}

export class ActivationStartInput extends ActivationInspectInput {
  @ApiProperty({ format: 'password', description: 'Nieuw wachtwoord (12-128 tekens), of het huidige na een tokenreset' })
  @IsDefined() @IsString() @MinLength(1) @MaxLength(1024)
  password: string;
}

export class ActivationConfirmInput extends ActivationInspectInput {
  @ApiProperty({ example: '123456' }) @IsDefined() @IsString() @MaxLength(20)
  code: string;
}

const USERNAME = /^[a-zA-Z0-9._@-]{3,100}$/;

export class NewAccountInput {
  @ApiProperty({ example: 'j.devries', description: '3-100 tekens: letters, cijfers, . _ @ -' })
  @IsDefined() @IsString() @Matches(USERNAME, { message: 'mag alleen letters, cijfers en . _ @ - bevatten (3 tot 100 tekens)' })
  username: string;
  @ApiProperty({ example: 'Jan de Vries' }) @IsDefined() @IsString() @MinLength(1) @MaxLength(200)
  name: string;
  @ApiProperty({ example: 'j.devries@school.example' }) @IsDefined() @IsString() @IsEmail({}, { message: 'is geen geldig e-mailadres' }) @MaxLength(254)
  email: string;
  @ApiProperty({ enum: Role, isArray: true }) @IsDefined() @IsArray() @ArrayMinSize(1, { message: 'kies minstens één rol' }) @ArrayMaxSize(5) @ArrayUnique() @IsIn(Object.values(Role), { each: true })
  roles: Role[];
  @ApiPropertyOptional({ type: [String], description: 'Melder: alleen deze locaties (id\'s); leeg: alle' })
  @IsOptional() @IsArray() @ArrayMaxSize(200) @IsUUID('all', { each: true })
  locationIds?: string[];
  @ApiPropertyOptional({ enum: ['LINK', 'LETTER'], description: 'LINK: activeringslink (per e-mail); LETTER: code voor een af te drukken brief' })
  @IsOptional() @IsIn(['LINK', 'LETTER'])
  activation?: 'LINK' | 'LETTER';
}

export class AppointInput {
  @ApiProperty({ example: 'beheer.00zv' }) @IsDefined() @IsString() @Matches(USERNAME, { message: 'mag alleen letters, cijfers en . _ @ - bevatten (3 tot 100 tekens)' })
  username: string;
  @ApiProperty() @IsDefined() @IsString() @MinLength(1) @MaxLength(200)
  name: string;
  @ApiProperty() @IsDefined() @IsString() @IsEmail({}, { message: 'is geen geldig e-mailadres' }) @MaxLength(254)
  email: string;
  @ApiPropertyOptional({ enum: ['LINK', 'LETTER'] }) @IsOptional() @IsIn(['LINK', 'LETTER'])
  activation?: 'LINK' | 'LETTER';
}

export class DetailsInput {
  @ApiProperty() @IsDefined() @IsString() @MinLength(1) @MaxLength(200)
  name: string;
  @ApiProperty() @IsDefined() @IsString() @IsEmail({}, { message: 'is geen geldig e-mailadres' }) @MaxLength(254)
  email: string;
}

export class RolesInput {
  @ApiProperty({ enum: Role, isArray: true }) @IsDefined() @IsArray() @ArrayMinSize(1, { message: 'kies minstens één rol' }) @ArrayMaxSize(5) @ArrayUnique() @IsIn(Object.values(Role), { each: true })
  roles: Role[];
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @ArrayMaxSize(200) @IsUUID('all', { each: true })
  locationIds?: string[];
}

export class ActivationKindInput {
  @ApiPropertyOptional({ enum: ['LINK', 'LETTER'] }) @IsOptional() @IsIn(['LINK', 'LETTER'])
  activation?: 'LINK' | 'LETTER';
}

export class HardwareTokenInput {
  @ApiProperty({ example: 'GALT-0012345' }) @IsDefined() @IsString() @Matches(/^[A-Za-z0-9-]{3,40}$/, { message: 'moet 3-40 letters, cijfers of streepjes zijn' })
  serial: string;
  @ApiProperty({ description: 'De seed van de leverancier: base32 of hex (minstens 20 bytes)' }) @IsDefined() @IsString() @MaxLength(200)
  seed: string;
}

export class AssignTokenInput {
  @ApiProperty({ format: 'uuid' }) @IsDefined() @IsUUID('all', { message: 'is geen geldige id' })
  tokenId: string;
}

export class AccountView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() username: string;
  @ApiProperty() name: string;
  @ApiProperty() email: string;
  @ApiProperty({ enum: Role, isArray: true }) roles: string[];
  @ApiProperty({ type: 'string', format: 'uuid', isArray: true }) locationIds: string[];
  @ApiProperty({ enum: UserStatus }) status: UserStatus;
  @ApiProperty() locked: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Na te veel mislukte pogingen: wacht tot' }) waitUntil: string | null;
  @ApiProperty({ enum: TokenKind, enumName: 'TokenKind', nullable: true }) token: TokenKind | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) activationExpiresAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastSignInAt: string | null;

  static of(u: User): AccountView {
    return {
      id: u.id, username: u.username, name: u.name, email: u.email, roles: u.roles, locationIds: u.locationIds, status: u.status,
      locked: u.lockedAt !== null,
      waitUntil: u.throttledUntil && u.throttledUntil.getTime() > Date.now() ? u.throttledUntil.toISOString() : null,
      token: u.tokenKind, activationExpiresAt: u.activationExpiresAt?.toISOString() ?? null, lastSignInAt: u.lastSignInAt?.toISOString() ?? null,
    };
  }
}

export class ActivationView {
  @ApiProperty({ enum: ['LINK', 'LETTER'] }) kind: 'LINK' | 'LETTER';
  @ApiPropertyOptional({ description: 'LINK: het e-mailadres waar de activeringslink naartoe is gestuurd' }) sentTo?: string;
  @ApiPropertyOptional({ description: 'LETTER: de code voor de brief, met de gebruikersnaam' }) code?: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
}

export class CreatedAccountView {
  @ApiProperty({ type: AccountView }) account: AccountView;
  @ApiProperty({ type: ActivationView, description: 'Eenmalig getoond' }) activation: ActivationView;
}

export class MeView {
  @ApiProperty({ enum: ['USER', 'API_KEY'] }) type: 'USER' | 'API_KEY';
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Code van de organisatie' }) organisation: string;
  @ApiProperty({ enum: OrganisationType }) organisationType: OrganisationType;
  @ApiProperty({ type: [String] }) permissions: string[];
  @ApiProperty({ type: String, nullable: true, description: 'Stuur mee als X-CSRF-Token bij elke wijzigende aanvraag met deze sessie' }) csrfToken: string | null;
}

export class PasswordStepView {
  @ApiProperty({ enum: ['CODE'], description: 'De volgende stap: POST /session/code' }) next: 'CODE';
}

export class ActivationInspectView {
  @ApiProperty({ example: 'j.devries' }) username: string;
  @ApiProperty({ example: 'Jan de Vries' }) name: string;
  @ApiProperty({ description: 'Naam van de organisatie', example: 'De Regenboog' }) organisation: string;
  @ApiProperty({ description: 'true: een nieuw wachtwoord instellen; false: het huidige bevestigen (na een tokenreset)' }) needsPassword: boolean;
  @ApiProperty({ enum: TokenKind, enumName: 'TokenKind', description: 'APP: de persoon scant een QR-code; HARDWARE: het uitgereikte token' }) token: TokenKind;
}

export class EnrolmentView {
  @ApiProperty({ example: 'j.devries' }) username: string;
  @ApiProperty({ enum: TokenKind, enumName: 'TokenKind' }) token: TokenKind;
  @ApiPropertyOptional({ description: 'APP: wat de app scant (otpauth-URI)', example: 'otpauth://totp/Verzuimloket:j.devries?secret=JBSWY3DPEHPK3PXP&issuer=Verzuimloket' }) otpauthUri?: string;
  @ApiPropertyOptional({ description: 'APP: de QR-code als SVG' }) qrSvg?: string;
  @ApiPropertyOptional({ description: 'APP: het geheim om over te typen (base32)' }) secret?: string;
  @ApiPropertyOptional({ description: 'HARDWARE: het serienummer van het token', example: 'GALT-0012345' }) serial?: string;
}

export class ActivatedView {
  @ApiProperty({ example: 'j.devries', description: 'De gebruikersnaam om mee aan te melden' }) username: string;
}

export class HardwareTokenView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'GALT-0012345' }) serial: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Het account waaraan het token gekoppeld is' }) userId: string | null;
  @ApiProperty() revoked: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class EndedSessionsView {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Aantal beëindigde sessies' }) ended: number;
}
