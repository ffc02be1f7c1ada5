import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { todayInNL } from '../common/dates';
import { ageOn, pgnType } from '../common/dutch-validators';
import { ErrorCode, FieldCode, FieldError, invalid, ProblemError } from '../common/problem';
import { Actor } from '../kernel/actor';
import { Location } from '../organisations/location.entity';
import { Organisation } from '../organisations/organisation.entity';
import { OrganisationsService } from '../organisations/organisations.service';
import { Reporter } from '../organisations/reporter.entity';
import { PgnCipher } from './pgn-cipher';
import { ReadMarks } from './read-marks';
import { nameGrams, nameKey } from './pupil-name-key';
import { findVisibleReport, locationLimit, lockVisibleReport, requireSide } from './report-access';
import { PgnType, ReportKind, ReportStatus } from '../kernel/report-codes';
import { FieldChange, ReportEventType } from './report-event.entity';
import { ReportEventsService } from './report-events.service';
import { checkDraft, checkReport, isOpen } from './report-rules';
import { lookupErrors, lookupForFiling, routeFromFacts, sixteenHourErrors } from './report-filing';
import { AddressInput, ChangeReportInput, CreateReportInput } from './report.dto';
import { Address, Report } from './report.entity';
import { ReportMessage } from './report-message.entity';
import { ReportView } from './report.view';
import { AuditAction, AuditService, byActor } from '../audit/audit.service';
import { sameValue } from '../common/same-value';
import { OrganisationType } from '../kernel/organisation-type';


/** API field -> entity column, for the school's fields that a change may touch (PGN and references apart). */
const FIELDS: [string, keyof Report][] = [
  ['pupil.initials', 'pupilInitials'], ['pupil.prefix', 'pupilPrefix'], ['pupil.surname', 'pupilSurname'], ['pupil.sex', 'pupilSex'],
  ['pupil.birthDate', 'pupilBirthDate'], ['pupil.registeredAddress', 'registeredAddress'], ['pupil.residenceAddress', 'residenceAddress'],
  ['pupil.phone', 'phone'], ['pupil.studentNumber', 'studentNumber'], ['kind', 'kind'], ['reason', 'reason'], ['beginDate', 'beginDate'],
  ['endDate', 'endDate'], ['allLessonsMissed', 'allLessonsMissed'], ['absenceExplanation', 'absenceExplanation'],
  ['schoolAction', 'schoolAction'], ['actionWanted', 'actionWanted'], ['actionWantedExplanation', 'actionWantedExplanation'],
  ['daysMissed', 'daysMissed'], ['hoursMissed', 'hoursMissed'], ['absenceDays', 'absenceDays'], ['emailCopies', 'emailCopies'],
];

function address(a: AddressInput): Address {
  return {
    street: a.street, houseNumber: a.houseNumber, houseLetter: a.houseLetter ?? null, houseNumberAddition: a.houseNumberAddition ?? null,
    postcode: a.postcode, place: a.place, municipalityCode: a.municipalityCode,
  };
}

/** The name search's columns (ADR 0011), kept with the name. */
function nameColumns(prefix: string | null, surname: string): Pick<Report, 'pupilNameKey' | 'pupilNameGrams'> {
  const key = nameKey(prefix, surname);
  return { pupilNameKey: key, pupilNameGrams: nameGrams(key) };
}

/** Whether a write failed because its Idempotency-Key was written by another filing meanwhile. */
function isIdempotencyKeyTaken(error: unknown): boolean {
  const pg = error instanceof QueryFailedError ? (error.driverError as { code?: string; table?: string }) : undefined;
  return pg?.code === '23505' && pg.table === 'idempotency_key';
}

/** Idempotency keys are the client's: printable, up to 200 characters. */
function checkIdempotencyKey(key: string): void {
  if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
    throw invalid({ field: 'Idempotency-Key', code: FieldCode.INVALID_FORMAT, message: 'Idempotency-Key: 1 tot 200 zichtbare ASCII-tekens' });
  }
}

/** The columns a filing writes, and which of them are jsonb. */
const INSERTED = {
  id: 'uuid', schoolId: 'uuid', locationId: 'uuid', reporterId: 'uuid', receiverId: 'uuid', residenceMunicipalityId: 'uuid', kind: 'text', status: 'text',
  pgnType: 'text', pgnEncrypted: 'bytea', pgnHash: 'bytea', pupilInitials: 'text', pupilPrefix: 'text', pupilSurname: 'text', pupilSex: 'text',
  pupilBirthDate: 'date', registeredAddress: 'jsonb', residenceAddress: 'jsonb', phone: 'text', studentNumber: 'text', reason: 'text', beginDate: 'date',
  endDate: 'date', allLessonsMissed: 'boolean', absenceExplanation: 'text', schoolAction: 'text', actionWanted: 'boolean', actionWantedExplanation: 'text',
  daysMissed: 'integer', hoursMissed: 'integer', absenceDays: 'jsonb', emailCopies: 'text', pupilNameKey: 'text', pupilNameGrams: 'text[]',
} as const satisfies Partial<Record<keyof Report, string>>;

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export interface Filed {
  report: ReportView;
  replayed: boolean;
}

/** Filing, reading and changing reports by the school; listing for both sides. */
@Injectable()
export class ReportsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly organisations: OrganisationsService,
    private readonly cipher: PgnCipher,
    private readonly marks: ReadMarks,
    private readonly events: ReportEventsService,
    private readonly audit: AuditService,
  ) {}

  async file(actor: Actor, input: CreateReportInput, idempotencyKey?: string): Promise<Filed> {
    if (actor.organisationType !== OrganisationType.SCHOOL) throw new ProblemError(ErrorCode.FORBIDDEN, 'Alleen een school kan een melding doen.');
    if (idempotencyKey !== undefined) checkIdempotencyKey(idempotencyKey);
    const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
    let filed: Report | { replayed: number };
    try {
      filed = await this.fileIn(actor, input, idempotencyKey, requestHash);
    } catch (error) {
      // Another request with the same key wrote its report between our lookup and our write: its key row made ours
      // fail as a whole (nothing of ours was written), and it is committed now, so the lookup finds it.
      if (idempotencyKey === undefined || !isIdempotencyKeyTaken(error)) throw error;
      filed = await this.fileIn(actor, input, idempotencyKey, requestHash);
    }
    if ('replayed' in filed) return { report: await this.current(actor, filed.replayed), replayed: true };
    // The answer is the report as it was written: nothing is read back.
    return { report: ReportView.full(filed, input.pupil.pgn, []), replayed: false };
  }

  /**
   * Filing in two round trips and no transaction: one query for everything the checks and the route need, and for an
   * earlier filing with the same Idempotency-Key (lookupForFiling), then ONE statement for the report, its key, its
   * event, its audit entry and what the listeners write (the e-mails, the webhook deliveries), which is atomic by
   * itself. The report comes back as written, or the number of an earlier filing with this key.
   */
  private async fileIn(actor: Actor, input: CreateReportInput, key: string | undefined, requestHash: string): Promise<Report | { replayed: number }> {
    const m = this.db.manager;
    const p = input.pupil;
    const residenceField = p.residenceAddress ? 'pupil.residenceAddress.municipalityCode' : 'pupil.registeredAddress.municipalityCode';
    const residenceCode = (p.residenceAddress ?? p.registeredAddress).municipalityCode;
    const pgnHash = this.cipher.hash(p.pgn);
    const facts = await lookupForFiling(m, actor, {
      locationCode: input.locationCode, reporterId: input.reporterId, pgnHash,
      municipalityCodes: [p.registeredAddress.municipalityCode, ...(p.residenceAddress ? [p.residenceAddress.municipalityCode] : [])],
      sixteenHours: input.kind === ReportKind.U16 && input.endDate ? { begin: input.beginDate, end: input.endDate } : null,
      idempotencyKey: key ?? null,
    });
    if (facts.earlier) {
      if (facts.earlier.requestHash !== requestHash) {
        throw new ProblemError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'Deze Idempotency-Key is al gebruikt voor een melding met andere inhoud.');
      }
      return { replayed: facts.earlier.number };
    }
    const errors: FieldError[] = [
      ...checkReport({ ...input, birthDate: p.birthDate, actionWantedExplanation: input.actionWantedExplanation }, todayInNL(), true),
      ...lookupErrors(facts, input.locationCode, [
        [residenceField, residenceCode], ...(p.residenceAddress ? [['pupil.registeredAddress.municipalityCode', p.registeredAddress.municipalityCode] as [string, string]] : []),
      ]),
      ...(input.kind === ReportKind.U16 && input.endDate ? sixteenHourErrors(facts.previousEnd, input.beginDate, input.endDate) : []),
    ];
    const residence = facts.municipalities.get(residenceCode);
    const route = errors.length === 0 && residence ? routeFromFacts(facts, input.kind, ageOn(p.birthDate, input.beginDate), residence, residenceField) : null;
    if (route && 'field' in route) errors.push(route);
    if (errors.length > 0 || !route || 'field' in route) throw invalid(...errors);

    const receiver = facts.candidates.get(route.receiverId)!;
    const report = Object.assign(new Report(), {
      id: randomUUID(), schoolId: actor.organisationId, school: facts.school, locationId: facts.location!.id, location: facts.location!,
      reporterId: facts.reporter!.id, reporter: facts.reporter!, receiverId: receiver.id, receiver, residenceMunicipalityId: residence!.id,
      residenceMunicipality: residence!, kind: input.kind, status: ReportStatus.GEREGISTREERD, pgnType: pgnType(p.pgn) as PgnType,
      pgnEncrypted: this.cipher.encrypt(p.pgn), pgnHash, pupilInitials: p.initials, pupilPrefix: p.prefix ?? null, pupilSurname: p.surname,
      ...nameColumns(p.prefix ?? null, p.surname), assignedUserId: null,
      pupilSex: p.sex, pupilBirthDate: p.birthDate, registeredAddress: address(p.registeredAddress),
      residenceAddress: p.residenceAddress ? address(p.residenceAddress) : null, phone: p.phone ?? null, studentNumber: p.studentNumber ?? null,
      reason: input.reason, beginDate: input.beginDate, endDate: input.endDate ?? null, allLessonsMissed: input.allLessonsMissed,
      absenceExplanation: input.absenceExplanation ?? null, schoolAction: input.schoolAction ?? null, actionWanted: input.actionWanted,
      actionWantedExplanation: input.actionWantedExplanation ?? null, daysMissed: input.daysMissed ?? null, hoursMissed: input.hoursMissed ?? null,
      absenceDays: input.absenceDays ?? null, emailCopies: input.emailCopies, closingReason: null, closingExplanation: null, municipalContact: null, closedAt: null,
      messages: [],
    });
    const columns = Object.keys(INSERTED) as (keyof typeof INSERTED)[];
    const params = columns.map((c) => (INSERTED[c] === 'jsonb' ? JSON.stringify(report[c]) : report[c]));
    const row = await this.events.record(m, {
      report, actor, type: ReportEventType.INGEDIEND, details: { receiver: receiver.code, routing: route.reasons },
      audit: { action: AuditAction.REPORT_FILED, details: { receiver: receiver.code } },
      write: {
        sql: `INSERT INTO report (${columns.map(snake).join(', ')}) VALUES (${columns.map((c, i) => `$${i + 1}${INSERTED[c] === 'jsonb' ? '::jsonb' : ''}`).join(', ')})
              RETURNING number, version, created_at, updated_at`,
        params: key === undefined ? params : [...params, actor.organisationId, key, requestHash],
        also: key === undefined ? [] : [`INSERT INTO idempotency_key (organisation_id, key, request_hash, report_id) VALUES ($${params.length + 1}, $${params.length + 2}, $${params.length + 3}, $1)`],
      },
    });
    return Object.assign(report, { version: Number(row.version), createdAt: row.created_at, updatedAt: row.updated_at });
  }

  /**
   * The errors of a filing that did not pass its field checks: those, and the rules across fields as far as the valid
   * fields go, so that a form shows every error in one round (the lookups and the route follow once the fields are right).
   */
  draftErrors(values: Record<string, unknown>, fieldErrors: readonly FieldError[]): FieldError[] {
    return [...fieldErrors, ...checkDraft(values, fieldErrors.map((e) => e.field), todayInNL())];
  }

  /** A report with its personal data, for reading: the read is logged. */
  async get(actor: Actor, number: number): Promise<ReportView> {
    const report = await findVisibleReport(this.db.manager, actor, number);
    await this.audit.record(byActor(actor, AuditAction.REPORT_READ, { subjectType: 'REPORT', subjectId: number }));
    // Opening the report clears its "new since your last visit" mark for this person.
    await this.marks.markSeen(this.db.manager, actor, report.id);
    return this.view(report);
  }

  /** The report as it stands after the caller's own change (that change is logged, not a read). */
  async current(actor: Actor, number: number): Promise<ReportView> {
    return this.view(await findVisibleReport(this.db.manager, actor, number));
  }

  /** The report as a reader sees it: the PGN decrypted, with its messages (loaded with it, or read now). */
  async view(report: Report, m: EntityManager = this.db.manager): Promise<ReportView> {
    const messages = report.messages ?? await m.getRepository(ReportMessage).find({ where: { reportId: report.id }, relations: { organisation: true }, order: { createdAt: 'ASC' } });
    return ReportView.full(report, this.cipher.decrypt(report.pgnEncrypted), messages);
  }


  async history(actor: Actor, number: number) {
    const report = await findVisibleReport(this.db.manager, actor, number);
    await this.audit.record(byActor(actor, AuditAction.REPORT_HISTORY_READ, { subjectType: 'REPORT', subjectId: number }));
    return this.events.history(report.id);
  }

  /** The school's change; `version` is the If-Match it sent. */
  async change(actor: Actor, number: number, version: number, input: ChangeReportInput): Promise<ReportView> {
    await this.db.transaction(async (m) => {
      const report = await lockVisibleReport(m, actor, number, version);
      requireSide(report, actor, 'school');
      if (!isOpen(report.status)) throw new ProblemError(ErrorCode.REPORT_CLOSED, 'Een afgesloten of ingetrokken melding kan niet meer gewijzigd worden.');
      const before: Record<string, unknown> = {};
      for (const [, col] of FIELDS) before[col] = report[col];
      const changes: FieldChange[] = [];
      const errors: FieldError[] = [];
      const p = input.pupil ?? {};
      const next: Partial<Record<keyof Report, unknown>> = {
        pupilInitials: p.initials, pupilPrefix: p.prefix, pupilSurname: p.surname, pupilSex: p.sex, pupilBirthDate: p.birthDate,
        registeredAddress: p.registeredAddress ? address(p.registeredAddress) : undefined,
        residenceAddress: p.residenceAddress === null ? null : p.residenceAddress ? address(p.residenceAddress) : undefined,
        phone: p.phone, studentNumber: p.studentNumber, kind: input.kind, reason: input.reason, beginDate: input.beginDate,
        endDate: input.endDate, allLessonsMissed: input.allLessonsMissed, absenceExplanation: input.absenceExplanation,
        schoolAction: input.schoolAction, actionWanted: input.actionWanted, actionWantedExplanation: input.actionWantedExplanation,
        daysMissed: input.daysMissed, hoursMissed: input.hoursMissed, absenceDays: input.absenceDays, emailCopies: input.emailCopies,
      };
      for (const [field, col] of FIELDS) {
        const value = next[col];
        if (value === undefined) continue;
        if (!sameValue(value, before[col])) {
          changes.push({ field, from: before[col], to: value });
          (report as unknown as Record<string, unknown>)[col] = value;
        }
      }
      if (p.pgn !== undefined && p.pgn !== this.cipher.decrypt(report.pgnEncrypted)) {
        report.pgnEncrypted = this.cipher.encrypt(p.pgn);
        report.pgnHash = this.cipher.hash(p.pgn);
        report.pgnType = pgnType(p.pgn) as PgnType;
        changes.push({ field: 'pupil.pgn', from: '(vertrouwelijk)', to: '(vertrouwelijk)' });
      }
      if (input.locationCode !== undefined && input.locationCode !== report.school.code + report.location.code) {
        const location = await this.ownLocation(m, actor, input.locationCode, errors);
        if (location) {
          changes.push({ field: 'locationCode', from: report.school.code + report.location.code, to: input.locationCode });
          report.locationId = location.id;
        }
      }
      if (input.reporterId !== undefined && input.reporterId !== report.reporterId) {
        const reporter = await this.ownReporter(m, actor, input.reporterId, errors);
        if (reporter) {
          changes.push({ field: 'reporterId', from: report.reporterId, to: reporter.id });
          report.reporterId = reporter.id;
        }
      }
      errors.push(
        ...checkReport(
          { kind: report.kind, beginDate: report.beginDate, endDate: report.endDate, birthDate: report.pupilBirthDate, actionWanted: report.actionWanted, actionWantedExplanation: report.actionWantedExplanation, absenceDays: report.absenceDays },
          todayInNL(),
          false,
        ),
      );
      let previousReceiver: Organisation | undefined;
      let rerouted: Record<string, unknown> | undefined;
      if (p.registeredAddress || p.residenceAddress !== undefined) {
        const a = report.residenceAddress ?? report.registeredAddress;
        const field = report.residenceAddress ? 'pupil.residenceAddress.municipalityCode' : 'pupil.registeredAddress.municipalityCode';
        const residence = await this.municipality(m, a.municipalityCode, field, errors);
        const moved = residence !== null && residence.id !== report.residenceMunicipalityId;
        if (residence) report.residenceMunicipalityId = residence.id;
        // Not yet taken into handling: the address that decides the receiver decides it again. Afterwards the receiver forwards.
        if (moved && report.status === ReportStatus.GEREGISTREERD && errors.length === 0) {
          const route = await this.reroute(m, report, residence, field, errors);
          if (route) {
            previousReceiver = report.receiver;
            changes.push({ field: 'receiver', from: previousReceiver.code, to: route.receiver.code });
            Object.assign(report, { receiver: route.receiver, receiverId: route.receiver.id });
            rerouted = { from: previousReceiver.code, to: route.receiver.code, routing: route.reasons };
          }
        }
      }
      if (report.kind === ReportKind.U16 && report.endDate && changes.some((c) => ['kind', 'beginDate', 'endDate', 'pupil.pgn'].includes(c.field))) {
        await this.checkSixteenHourInterval(m, actor, report.pgnHash, report.beginDate, report.endDate, report.id, errors);
      }
      if (errors.length > 0) throw invalid(...errors);
      if (changes.length === 0) return;
      await m.getRepository(Report).update(report.id, {
        ...Object.fromEntries(FIELDS.map(([, col]) => [col, report[col]])),
        pgnEncrypted: report.pgnEncrypted, pgnHash: report.pgnHash, pgnType: report.pgnType,
        locationId: report.locationId, reporterId: report.reporterId, residenceMunicipalityId: report.residenceMunicipalityId,
        receiverId: report.receiverId, ...nameColumns(report.pupilPrefix, report.pupilSurname), version: report.version + 1,
        // A new receiver starts without anyone of the old one's handling it (as a forward does).
        ...(rerouted ? { assignedUserId: null } : {}),
      });
      await this.events.record(m, {
        report, actor, type: ReportEventType.GEWIJZIGD, changes, previousReceiver, ...(rerouted ? { details: { rerouted } } : {}),
        audit: { action: AuditAction.REPORT_CHANGED, details: { fields: changes.map((c) => c.field), ...(rerouted ? { from: rerouted.from, to: rerouted.to } : {}) } },
      });
    });
    return this.current(actor, number);
  }

  /**
   * The receiver of a report whose pupil now lives in `residence` (routing as at filing), when it is another than the
   * current one; null when it stays. A municipality without a route (18+ outside any RMC region) is a field error.
   */
  private async reroute(
    m: EntityManager, report: Report, residence: Organisation, field: string, errors: FieldError[],
  ): Promise<{ receiver: Organisation; reasons: string[] } | null> {
    try {
      const route = await this.organisations.route(report.kind, ageOn(report.pupilBirthDate, report.beginDate), residence, m);
      if (route.receiverId === report.receiverId) return null;
      return { receiver: await m.getRepository(Organisation).findOneByOrFail({ id: route.receiverId }), reasons: route.reasons };
    } catch (error) {
      if (!(error instanceof ProblemError) || !error.errors) throw error;
      errors.push(...error.errors.map((e) => ({ ...e, field, message: e.message.replace(/^pupil: /, `${field}: `) })));
      return null;
    }
  }

  private async ownLocation(m: EntityManager, actor: Actor, code: string, errors: FieldError[]): Promise<Location | null> {
    const brin = code.slice(0, 4);
    const limit = locationLimit(actor);
    const found = brin === actor.organisationCode
      ? await m.getRepository(Location).findOne({ where: { schoolId: actor.organisationId, code: code.slice(4) } })
      : null;
    // A melder limited to some locations files and moves reports only for theirs; the others do not exist for them.
    const location = found && (!limit || limit.includes(found.id)) ? found : null;
    if (!location) {
      errors.push({ field: 'locationCode', code: FieldCode.UNKNOWN_LOCATION, message: `locationCode: ${code} is geen locatie van uw school` });
    } else if (!location.active) {
      errors.push({ field: 'locationCode', code: FieldCode.INACTIVE, message: `locationCode: locatie ${code} is gedeactiveerd` });
      return null;
    }
    return location;
  }

  private async ownReporter(m: EntityManager, actor: Actor, id: string, errors: FieldError[]): Promise<Reporter | null> {
    const reporter = await m.getRepository(Reporter).findOne({ where: { id, schoolId: actor.organisationId } });
    if (!reporter) {
      errors.push({ field: 'reporterId', code: FieldCode.UNKNOWN_REPORTER, message: 'reporterId: is geen melder van uw school' });
    } else if (!reporter.active) {
      errors.push({ field: 'reporterId', code: FieldCode.INACTIVE, message: 'reporterId: deze melder is gedeactiveerd' });
      return null;
    }
    return reporter;
  }

  private async municipality(m: EntityManager, code: string, field: string, errors: FieldError[]): Promise<Organisation | null> {
    const org = await m.getRepository(Organisation).findOne({ where: { code, type: OrganisationType.GEMEENTE } });
    if (!org) errors.push({ field, code: FieldCode.UNKNOWN_MUNICIPALITY, message: `${field}: gemeente ${code} bestaat niet` });
    return org;
  }

  /** 16 hours in 4 weeks (sixteenHourErrors): the previous 16-hour report of the pupil near this one, other than `exceptId`. */
  private async checkSixteenHourInterval(
    m: EntityManager, actor: Actor, pgnHash: Buffer, beginDate: string, endDate: string, exceptId: string | null, errors: FieldError[],
  ): Promise<void> {
    const rows: { end_date: string }[] = await m.query(
      `SELECT to_char(end_date, 'YYYY-MM-DD') AS end_date FROM report
        WHERE school_id = $1 AND pgn_hash = $2 AND kind = '16U' AND status <> 'INGETROKKEN' AND end_date IS NOT NULL
          AND ($3::uuid IS NULL OR id <> $3) AND end_date <= $4::date + 7 AND end_date >= $5::date - 7
        ORDER BY end_date DESC LIMIT 1`,
      [actor.organisationId, pgnHash, exceptId, endDate, beginDate],
    );
    errors.push(...sixteenHourErrors(rows[0]?.end_date ?? null, beginDate, endDate));
  }
}
