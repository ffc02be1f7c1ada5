import { ApiProperty } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { Organisation } from '../organisations/organisation.entity';
import { ClosingExplanation, ClosingReason, EmailCopies, PgnType, ReportKind, ReportStatus, Sex } from '../kernel/report-codes';
import { ReportEventType, V1_EVENT_TYPES } from './report-event.entity';
import { AbsenceDayInput, AddressInput } from './report.dto';
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
  @ApiProperty({ example: '123456782', description: 'BSN of onderwijsnummer' }) pgn: string;
  @ApiProperty({ enum: PgnType }) pgnType: PgnType;
  @ApiProperty() initials: string;
  @ApiProperty({ type: String, nullable: true, example: 'van der' }) prefix: string | null;
  @ApiProperty() surname: string;
  @ApiProperty({ enum: Sex }) sex: Sex;
  @ApiProperty({ format: 'date', example: '2011-03-14' }) birthDate: string;
  @ApiProperty({ type: AddressInput }) registeredAddress: AddressInput;
  @ApiProperty({ type: AddressInput, nullable: true }) residenceAddress: AddressInput | null;
  @ApiProperty({ type: String, nullable: true }) phone: string | null;
  @ApiProperty({ type: String, nullable: true }) studentNumber: string | null;
}

/** The officer's contact for the school, as stored: what was not given is null. */
export class MunicipalContactView {
  @ApiProperty({ example: 'A. Jansen' }) name: string;
  @ApiProperty({ type: String, nullable: true, example: 'Leerplichtambtenaar' }) function: string | null;
  @ApiProperty({ type: String, nullable: true, example: '020 555 0101' }) phone: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'leerplicht@gemeente.example' }) email: string | null;
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
  @ApiProperty({ format: 'date-time' }) createdAt: string;

  static of(m: ReportMessage): MessageView {
    return { id: m.id, from: OrganisationRef.of(m.organisation), authorName: m.authorName, body: m.body, createdAt: m.createdAt.toISOString() };
  }
}

/** A report in a list: no PGN, no address. */
export class ReportSummary {
  @ApiProperty({ type: 'integer', example: 12, description: 'Meldingsnummer' }) number: number;
  @ApiProperty({ enum: ReportKind }) kind: ReportKind;
  @ApiProperty({ enum: ReportStatus }) status: ReportStatus;
  @ApiProperty({ type: OrganisationRef }) school: OrganisationRef;
  @ApiProperty({ type: LocationRef }) location: LocationRef;
  @ApiProperty({ type: OrganisationRef }) receiver: OrganisationRef;
  @ApiProperty({ example: 'J.P. van der Berg' }) pupilName: string;
  @ApiProperty({ format: 'date' }) beginDate: string;
  @ApiProperty({ type: String, format: 'date', nullable: true }) endDate: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Versie; gelijk aan de ETag' }) version: number;

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
  @ApiProperty({ type: String, nullable: true }) absenceExplanation: string | null;
  @ApiProperty({ type: String, nullable: true }) schoolAction: string | null;
  @ApiProperty() actionWanted: boolean;
  @ApiProperty({ type: String, nullable: true }) actionWantedExplanation: string | null;
  @ApiProperty({ type: 'integer', nullable: true }) daysMissed: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) hoursMissed: number | null;
  @ApiProperty({ type: [AbsenceDayInput], nullable: true }) absenceDays: AbsenceDayInput[] | null;
  @ApiProperty({ enum: EmailCopies }) emailCopies: EmailCopies;
  @ApiProperty({ enum: ClosingReason, enumName: 'ClosingReason', nullable: true }) closingReason: string | null;
  @ApiProperty({ enum: ClosingExplanation, enumName: 'ClosingExplanation', nullable: true }) closingExplanation: string | null;
  @ApiProperty({ type: MunicipalContactView, nullable: true }) municipalContact: MunicipalContactView | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt: string | null;
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
      municipalContact: r.municipalContact as MunicipalContactView | null,
      closedAt: r.closedAt?.toISOString() ?? null,
      messages: messages.map(MessageView.of),
    };
  }
}

export class ReportPage {
  @ApiProperty({ type: [ReportSummary] }) reports: ReportSummary[];
  @ApiProperty({ type: 'integer', nullable: true, description: 'Geef mee als after voor de volgende pagina; null: dit was de laatste' }) nextCursor: number | null;
}

/** A field's value before or after a change: whatever type the field has. */
const ANY_VALUE: { anyOf: SchemaObject[] } = {
  anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'object', additionalProperties: true }, { type: 'array', items: {} }, { type: 'null' }],
};

export class FieldChangeView {
  @ApiProperty({ example: 'pupil.surname' }) field: string;
  @ApiProperty({ ...ANY_VALUE, description: 'Oude waarde: tekst, getal, ja/nee, adres, lijst of null (een PGN-wijziging wordt niet getoond)' }) from: unknown;
  @ApiProperty({ ...ANY_VALUE, description: 'Nieuwe waarde, als bij from' }) to: unknown;
}

export class HistoryEntryView {
  @ApiProperty({ enum: V1_EVENT_TYPES, enumName: 'ReportEventType' }) type: ReportEventType;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: OrganisationRef }) organisation: OrganisationRef;
  @ApiProperty({ description: 'Naam van de persoon of API-sleutel' }) actor: string;
  @ApiProperty({ type: [FieldChangeView] }) changes: FieldChangeView[];
  @ApiProperty({ description: 'Bijzonderheden per soort: statussen, doorgestuurd van/naar, bericht-id', type: 'object', additionalProperties: true })
  details: Record<string, unknown>;
}

export class ChangeView {
  @ApiProperty({ description: 'Cursor van deze wijziging' }) cursor: string;
  @ApiProperty({ type: 'integer', example: 12 }) reportNumber: number;
  @ApiProperty({ enum: V1_EVENT_TYPES, enumName: 'ReportEventType' }) type: ReportEventType;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: OrganisationRef, description: 'Wie de wijziging deed' }) organisation: OrganisationRef;
  @ApiProperty({ enum: ReportStatus, description: 'Status van de melding nu' }) status: ReportStatus;
}

export class ChangesPage {
  @ApiProperty({ type: [ChangeView] }) changes: ChangeView[];
  @ApiProperty({ description: 'Geef mee als after bij de volgende aanroep (ook als changes leeg is)' }) nextCursor: string;
}

export class ForwardResult {
  @ApiProperty({ type: 'integer', example: 12 }) number: number;
  @ApiProperty({ example: 'GM0344', description: 'De organisatie die de melding nu heeft (bij delegatie: het regionaal bureau)' }) forwardedTo: string;
}
