import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AeadBox } from '../common/aead-box';
import { jsonSql, SqlValue } from '../common/sql-json';
import { nextTimeInNL, nlDateTime } from '../common/dates';
import { AppConfig } from '../config/app-config';
import { User } from '../identity/user.entity';
import { CLOSING_REASON_LABELS, ReportKind, STATUS_LABELS } from '../kernel/report-codes';
import { ActivationMailer } from '../identity/activation-mailer';
import { OrganisationFacts, ReportEventBus, ReportEventListener, ReportEventNotice, ReportEventStatement } from '../reports/report-event-bus';
import { ReportEventType } from '../reports/report-event.entity';
import { MailTemplate, OutboxMessage } from './outbox-message.entity';

/** Sealed secrets in outbox rows (activation links) have their own key. */
export class MailSecretBox extends AeadBox {
  constructor(masterKey: Buffer) {
    super(masterKey, 'verzuimloket mail secret v1');
  }
}

/** The kind of report as DUO's e-mails name it: "Melding relatief verzuim door ...". */
const KIND_IN_MAIL: Record<ReportKind, string> = {
  [ReportKind.U16]: 'relatief verzuim',
  [ReportKind.LRV]: 'langdurig relatief verzuim',
  [ReportKind.LUXE]: 'luxeverzuim',
  [ReportKind.RMC]: 'verzuim 18+ zonder startkwalificatie (RMC)',
  [ReportKind.OVERIG]: 'overig verzuim',
};

/** Who hears of which event: the receiving organisation of the school's actions, the school of the receiver's. */
const TO_RECEIVER: readonly ReportEventType[] = [
  ReportEventType.INGEDIEND, ReportEventType.INGETROKKEN, ReportEventType.DOORGESTUURD, ReportEventType.BIJLAGE_VERWIJDERD,
];
/**
 * Either side's messages and attachments go to the other side, and so does a change of the report's data (the
 * school's fields; the receiver's contact person).
 */
const TO_OTHER_SIDE: readonly ReportEventType[] = [ReportEventType.BERICHT, ReportEventType.BIJLAGE_TOEGEVOEGD, ReportEventType.GEWIJZIGD];
const TO_SCHOOL: readonly ReportEventType[] = [ReportEventType.STATUS_GEWIJZIGD, ReportEventType.HEROPEND, ReportEventType.DOORGESTUURD];




/**
 * Puts notifications in the outbox, in the statement of the change that causes them, so that a change is never
 * without its e-mails and an e-mail never tells of a change that was rolled back. What goes in is what the templates
 * need and nothing of the pupil: the meldingsnummer, the kind, the school, the location, the receiver, the kind of change.
 */
@Injectable()
export class NotificationsService implements ReportEventListener, ActivationMailer, OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly box: MailSecretBox,
    private readonly events: ReportEventBus,
  ) {}

  onModuleInit(): void {
    this.events.subscribe(this);
  }

  /**
   * The e-mails about a change of a report, as one part of the change's statement: who hears of it is
   * decided in SQL from the facts the event carries. The receiving organisation (its behandelaars who did not opt out,
   * and its mailbox) hears of the school's actions; the school (the reporter named on the report and/or its mailbox,
   * as the report's copy choice says; a reporter with an account there gets their own choice) hears of the
   * receiver's. Nobody hears of their own action; an address hears of an event once, the first way it qualifies.
   */
  onReportEvent(statement: ReportEventStatement, notice: ReportEventNotice): void {
    const f = notice.report;
    const bySchool = notice.actor.organisationId === f.school.id;
    const toReceiver = TO_RECEIVER.includes(notice.type) || (TO_OTHER_SIDE.includes(notice.type) && bySchool);
    const toSchool = TO_SCHOOL.includes(notice.type) || (TO_OTHER_SIDE.includes(notice.type) && !bySchool);
    if (!toReceiver && !toSchool) return;
    const data = {
      type: notice.type,
      bySchool,
      // The number is the statement's: a filing draws it in the same statement.
      number: new SqlValue(statement.number),
      kind: KIND_IN_MAIL[f.kind],
      school: f.school.name,
      location: f.location.name,
      receiver: f.receiver.name,
      status: STATUS_LABELS[f.status],
      closingReason: notice.type === ReportEventType.STATUS_GEWIJZIGD && f.closingReason ? CLOSING_REASON_LABELS[f.closingReason] : null,
      // A forward, or a change of address by the school that sent the report to another receiver (both are told).
      forwardedFrom: f.previousReceiver?.name ?? null,
      link: new SqlValue(`${statement.param(`${this.config.PUBLIC_URL}/meldingen/`)} || ${statement.number}`),
    };
    this.enqueue(statement, 'mail_to', notice, data, f.receiver, toReceiver, toSchool);
    if (notice.type === ReportEventType.GEWIJZIGD && f.previousReceiver) this.enqueue(statement, 'mail_to_previous', notice, data, f.previousReceiver, true, false);
  }

  /** One part: the e-mails of one event to one receiving organisation's side and/or the school's side. */
  private enqueue(
    statement: ReportEventStatement, name: string, notice: ReportEventNotice, mailData: Record<string, unknown>, receiver: OrganisationFacts,
    toReceiver: boolean, toSchool: boolean,
  ): void {
    const f = notice.report;
    const $ = statement.param;
    const [template, data, digestAt, toRec, receiverId, receiverMailbox, reporterEmail, schoolId, toSch, copies, schoolMailbox, actorUser, coalesce] = [
      $(MailTemplate.REPORT_EVENT), jsonSql(mailData, $), $(nextTimeInNL(this.config.MAIL_DIGEST_TIME)), $(toReceiver), $(receiver.id), $(receiver.mailbox),
      $(f.reporterEmail), $(f.school.id), $(toSchool), $(f.emailCopies), $(f.school.mailbox), $(notice.actor.type === 'USER' ? notice.actor.id : null),
      $(this.config.MAIL_COALESCE_SECONDS),
    ];
    statement.part(name, `INSERT INTO outbox_message (template, event_id, organisation_id, user_id, recipient, data, status, next_attempt_at)
       SELECT ${template}, (SELECT id FROM e), x.organisation_id, x.user_id, x.address, (${data})::jsonb || jsonb_build_object('preferenceHint', x.user_id IS NOT NULL),
              CASE WHEN x.frequency = 'DAILY' THEN 'DIGEST' ELSE 'PENDING' END,
              CASE WHEN x.frequency = 'DAILY' THEN ${digestAt}::timestamptz ELSE now() + make_interval(secs => ${coalesce}) END
         FROM (
           SELECT DISTINCT ON (c.address) c.* FROM (
             SELECT lower(u.email) AS address, u.organisation_id, u.id AS user_id, u.mail_frequency AS frequency, 1 AS rank
               FROM user_account u
              WHERE ${toRec} AND u.organisation_id = ${receiverId} AND 'behandelaar' = ANY(u.roles) AND u.status = 'ACTIVE' AND u.locked_at IS NULL AND u.mail_frequency <> 'OFF'
             UNION ALL SELECT lower(${receiverMailbox}), ${receiverId}::uuid, NULL, 'IMMEDIATE', 2 WHERE ${toRec} AND ${receiverMailbox}::text IS NOT NULL
             UNION ALL SELECT lower(${reporterEmail}), ${schoolId}::uuid, a.id, coalesce(a.mail_frequency, 'IMMEDIATE'), 3
               FROM (SELECT 1) one LEFT JOIN LATERAL (
                 SELECT id, mail_frequency FROM user_account WHERE organisation_id = ${schoolId} AND lower(email) = lower(${reporterEmail}) AND status <> 'DISABLED' ORDER BY created_at LIMIT 1
               ) a ON true
              WHERE ${toSch} AND ${copies} <> 'SCHOOLMAILBOX' AND coalesce(a.mail_frequency, 'IMMEDIATE') <> 'OFF'
             UNION ALL SELECT lower(${schoolMailbox}), ${schoolId}::uuid, NULL, 'IMMEDIATE', 4 WHERE ${toSch} AND ${copies} <> 'MELDER' AND ${schoolMailbox}::text IS NOT NULL
           ) c
           WHERE c.address <> coalesce((SELECT lower(email) FROM user_account WHERE id = ${actorUser}::uuid), '') AND (c.user_id IS NULL OR ${actorUser}::uuid IS NULL OR c.user_id <> ${actorUser}::uuid)
           ORDER BY c.address, c.rank
         ) x
       ON CONFLICT DO NOTHING`);
  }

  /**
   * The notice of a changed address, to both addresses: it names the organisation and the username, nothing else
   * (not the addresses, not the name); the old address learns that mail now goes elsewhere.
   */
  async addressChanged(m: EntityManager, user: User, organisationName: string, previousEmail: string): Promise<void> {
    const data = { organisation: organisationName, username: user.username };
    await m.getRepository(OutboxMessage).insert([previousEmail, user.email].map((address) => ({
      template: MailTemplate.ADDRESS_CHANGED, organisationId: user.organisationId, userId: user.id, recipient: address.toLowerCase(), data,
    })));
  }

  /** The activation link, to the person only; the link itself is sealed in the row. */
  async send(m: EntityManager, user: User, organisationName: string, link: string, expiresAt: Date): Promise<void> {
    const id = randomUUID();
    await m.getRepository(OutboxMessage).insert({
      id,
      template: MailTemplate.ACTIVATION,
      organisationId: user.organisationId,
      userId: user.id,
      recipient: user.email.toLowerCase(),
      data: {
        organisation: organisationName,
        username: user.username,
        expires: nlDateTime(expiresAt, 'long'),
      },
      sealed: this.box.seal(link, id),
    });
  }






}
