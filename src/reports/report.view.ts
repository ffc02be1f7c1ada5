import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Organisation } from '../organisations/organisation.entity';
import { ClosingExplanation, ClosingReason, EmailCopies, PgnType, ReportKind, ReportStatus, Sex } from '../kernel/report-codes';
import { ReportEventType } from './report-event.entity';
import { AbsenceDayInput, AddressInput, MunicipalContactInput } from './report.dto';
import { Report } from './report.entity';
import { ReportMessage } from './report-message.entity';
import { OrganisationType } from '../kernel/organisation-type';

export class OrganisationRef {
  @ApiProperty({ example: 'GM0363' }) code: string;
  @ApiProperty({ example: 'Amsterdam' }) name: string;
  @ApiProperty({ enum: OrganisationType }) type: OrganisationType;

  static of(o: Organisation): OrganisationRef {
    return { code: o.code, name: o.name, type: o.type };
  }
}

export class PupilView {
  @ApiProperty({ example: '123456782' }) pgn: string;
  @ApiProperty({ enum: PgnType }) pgnType: PgnType;
  @ApiProperty() initials: string;
  @ApiPropertyOptional({ nullable: true }) prefix: string | null;
  @ApiProperty() surname: string;
  @ApiProperty({ enum: Sex }) sex: Sex;
  @ApiProperty({ example: '2011-03-14' }) birthDate: string;
  @ApiProperty({ type: AddressInput }) registeredAddress: AddressInput;
  @ApiPropertyOptional({ type: AddressInput, nullable: true }) residenceAddress: AddressInput | null;
  @ApiPropertyOptional({ nullable: true }) phone: string | null;
  @ApiPropertyOptional({ nullable: true }) studentNumber: string | null;
}

export class LocationRef {
  @ApiProperty({ example: '00ZV01' }) vestigingscode: string;
  @ApiProperty() name: string;
}

export class ReporterRef {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() function: string;
  @ApiProperty() phone: string;
  @ApiProperty() email: string;
}

export class MessageView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: OrganisationRef }) from: OrganisationRef;
  @ApiProperty() authorName: string;
  @ApiProperty() body: string;
  @ApiProperty() createdAt: string;

  static of(m: ReportMessage): MessageView {
    return { id: m.id, from: OrganisationRef.of(m.organisation), authorName: m.authorName, body: m.body, createdAt: m.createdAt.toISOString() };
  }
}

/** A report in a list: no PGN, no address. */
export class ReportSummary {
  @ApiProperty({ example: 12, description: 'Meldingsnummer' }) number: number;
  @ApiProperty({ enum: ReportKind }) kind: ReportKind;
  @ApiProperty({ enum: ReportStatus }) status: ReportStatus;
  @ApiProperty({ type: OrganisationRef }) school: OrganisationRef;
  @ApiProperty({ type: LocationRef }) location: LocationRef;
  @ApiProperty({ type: OrganisationRef }) receiver: OrganisationRef;
  @ApiProperty({ example: 'J.P. van der Berg' }) pupilName: string;
  @ApiProperty() beginDate: string;
  @ApiPropertyOptional({ nullable: true }) endDate: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty({ description: 'Versie; gelijk aan de ETag' }) version: number;

  static of(r: Report): ReportSummary {
    return {
      number: r.number,
      kind: r.kind,
      status: r.status,
      school: OrganisationRef.of(r.school),
      location: { vestigingscode: r.school.code + r.location.code, name: r.location.name },
      receiver: OrganisationRef.of(r.receiver),
      pupilName: [r.pupilInitials, r.pupilPrefix, r.pupilSurname].filter(Boolean).join(' '),
      beginDate: r.beginDate,
      endDate: r.endDate,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
      version: r.version,
    };
  }
}

/** A report with all its fields and its messages. */
export class ReportView extends ReportSummary {
  @ApiProperty({ type: PupilView }) pupil: PupilView;
  @ApiProperty({ type: ReporterRef }) reporter: ReporterRef;
  @ApiProperty({ type: OrganisationRef, description: 'Gemeente waar de leerling woont (afwijkend adres als opgegeven)' }) residenceMunicipality: OrganisationRef;
  @ApiProperty() reason: string;
  @ApiProperty() allLessonsMissed: boolean;
  @ApiPropertyOptional({ nullable: true }) absenceExplanation: string | null;
  @ApiPropertyOptional({ nullable: true }) schoolAction: string | null;
  @ApiProperty() actionWanted: boolean;
  @ApiPropertyOptional({ nullable: true }) actionWantedExplanation: string | null;
  @ApiPropertyOptional({ nullable: true }) daysMissed: number | null;
  @ApiPropertyOptional({ nullable: true }) hoursMissed: number | null;
  @ApiPropertyOptional({ type: [AbsenceDayInput], nullable: true }) absenceDays: AbsenceDayInput[] | null;
  @ApiProperty({ enum: EmailCopies }) emailCopies: EmailCopies;
  @ApiPropertyOptional({ enum: ClosingReason, nullable: true }) closingReason: string | null;
  @ApiPropertyOptional({ enum: ClosingExplanation, nullable: true }) closingExplanation: string | null;
  @ApiPropertyOptional({ type: MunicipalContactInput, nullable: true }) municipalContact: MunicipalContactInput | null;
  @ApiPropertyOptional({ nullable: true }) closedAt: string | null;
  @ApiProperty({ type: [MessageView] }) messages: MessageView[];

  static full(r: Report, pgn: string, messages: ReportMessage[]): ReportView {
    return {
      ...ReportSummary.of(r),
      pupil: {
        pgn,
        pgnType: r.pgnType,
        initials: r.pupilInitials,
        prefix: r.pupilPrefix,
        surname: r.pupilSurname,
        sex: r.pupilSex,
        birthDate: r.pupilBirthDate,
        registeredAddress: r.registeredAddress,
        residenceAddress: r.residenceAddress,
        phone: r.phone,
        studentNumber: r.studentNumber,
      },
      reporter: { id: r.reporter.id, name: r.reporter.name, function: r.reporter.function, phone: r.reporter.phone, email: r.reporter.email },
      residenceMunicipality: OrganisationRef.of(r.residenceMunicipality),
      reason: r.reason,
      allLessonsMissed: r.allLessonsMissed,
      absenceExplanation: r.absenceExplanation,
      schoolAction: r.schoolAction,
      actionWanted: r.actionWanted,
      actionWantedExplanation: r.actionWantedExplanation,
      daysMissed: r.daysMissed,
      hoursMissed: r.hoursMissed,
      absenceDays: r.absenceDays,
      emailCopies: r.emailCopies,
      closingReason: r.closingReason,
      closingExplanation: r.closingExplanation,
      municipalContact: r.municipalContact as MunicipalContactInput | null,
      closedAt: r.closedAt?.toISOString() ?? null,
      messages: messages.map(MessageView.of),
    };
  }
}

export class ReportPage {
  @ApiProperty({ type: [ReportSummary] }) reports: ReportSummary[];
  @ApiPropertyOptional({ nullable: true, description: 'Geef mee als after voor de volgende pagina; null: dit was de laatste' }) nextCursor: number | null;
}

export class FieldChangeView {
  @ApiProperty({ example: 'pupil.surname' }) field: string;
  @ApiPropertyOptional({ description: 'Oude waarde (een PGN-wijziging wordt niet getoond)' }) from: unknown;
  @ApiPropertyOptional({ description: 'Nieuwe waarde' }) to: unknown;
}

export class HistoryEntryView {
  @ApiProperty({ enum: ReportEventType }) type: ReportEventType;
  @ApiProperty() at: string;
  @ApiProperty({ type: OrganisationRef }) organisation: OrganisationRef;
  @ApiProperty({ description: 'Naam van de persoon of API-sleutel' }) actor: string;
  @ApiProperty({ type: [FieldChangeView] }) changes: FieldChangeView[];
  @ApiProperty({ description: 'Bijzonderheden per soort: statussen, doorgestuurd van/naar, bericht-id', type: 'object', additionalProperties: true })
  details: Record<string, unknown>;
}

export class ChangeView {
  @ApiProperty({ description: 'Cursor van deze wijziging' }) cursor: string;
  @ApiProperty({ example: 12 }) reportNumber: number;
  @ApiProperty({ enum: ReportEventType }) type: ReportEventType;
  @ApiProperty() at: string;
  @ApiProperty({ type: OrganisationRef, description: 'Wie de wijziging deed' }) organisation: OrganisationRef;
  @ApiProperty({ enum: ReportStatus, description: 'Status van de melding nu' }) status: ReportStatus;
}

export class ChangesPage {
  @ApiProperty({ type: [ChangeView] }) changes: ChangeView[];
  @ApiProperty({ description: 'Geef mee als after bij de volgende aanroep (ook als changes leeg is)' }) nextCursor: string;
}

export class ForwardResult {
  @ApiProperty({ example: 12 }) number: number;
  @ApiProperty({ example: 'GM0344', description: 'De organisatie die de melding nu heeft (bij delegatie: het regionaal bureau)' }) forwardedTo: string;
}
