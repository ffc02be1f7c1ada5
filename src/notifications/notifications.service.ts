import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AeadBox } from '../common/aead-box';
import { nextTimeInNL, nlDateTime } from '../common/dates';
import { AppConfig } from '../config/app-config';
import { User } from '../identity/user.entity';
import { CLOSING_REASON_LABELS, ReportKind, STATUS_LABELS } from '../kernel/report-codes';
import { ActivationMailer } from '../identity/activation-mailer';
import { OrganisationFacts, RecordedReportEvent, ReportEventBus, ReportEventListener } from '../reports/report-event-bus';
import { ReportEventType } from '../reports/report-event.entity';
import { MailTemplate, OutboxMessage } from './outbox-message.entity';
import { preparedQuery } from '../common/prepared-query';

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
 * Puts notifications in the outbox, inside the transaction of the change that causes them, so that a change is never
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
   * The e-mails about a change of a report, in the change's transaction and in ONE statement: who hears of it is
   * decided in SQL from the facts the event carries. The receiving organisation (its behandelaars who did not opt out,
   * and its mailbox) hears of the school's actions; the school (the reporter named on the report and/or its mailbox,
   * as the report's copy choice says; a reporter with an account there gets their own choice) hears of the
   * receiver's. Nobody hears of their own action; an address hears of an event once, the first way it qualifies.
   */
  async onReportEvent(m: EntityManager, notice: RecordedReportEvent): Promise<void> {
    const f = notice.report;
    const bySchool = notice.actor.organisationId === f.school.id;
    const toReceiver = TO_RECEIVER.includes(notice.type) || (TO_OTHER_SIDE.includes(notice.type) && bySchool);
    const toSchool = TO_SCHOOL.includes(notice.type) || (TO_OTHER_SIDE.includes(notice.type) && !bySchool);
    if (!toReceiver && !toSchool) return;
    const data = {
      type: notice.type,
      bySchool,
      number: f.number,
      kind: KIND_IN_MAIL[f.kind],
      school: f.school.name,
      location: f.location.name,
      receiver: f.receiver.name,
      status: STATUS_LABELS[f.status],
      closingReason: notice.type === ReportEventType.STATUS_GEWIJZIGD && f.closingReason ? CLOSING_REASON_LABELS[f.closingReason] : null,
      // A forward, or a change of address by the school that sent the report to another receiver (both are told).
      forwardedFrom: f.previousReceiver?.name ?? null,
      link: `${this.config.PUBLIC_URL}/meldingen/${f.number}`,
    };
    await this.enqueue(m, notice, data, f.receiver, toReceiver, toSchool);
    if (notice.type === ReportEventType.GEWIJZIGD && f.previousReceiver) await this.enqueue(m, notice, data, f.previousReceiver, true, false);
  }

  /** One statement: the e-mails of one event to one receiving organisation's side and/or the school's side. */
  private async enqueue(
    m: EntityManager, notice: RecordedReportEvent, data: Record<string, unknown>, receiver: OrganisationFacts, toReceiver: boolean, toSchool: boolean,
  ): Promise<void> {
    const f = notice.report;
    await preparedQuery(
      m,
      `INSERT INTO outbox_message (template, event_id, organisation_id, user_id, recipient, data, status, next_attempt_at)
       SELECT $1, $2, x.organisation_id, x.user_id, x.address, $3::jsonb || jsonb_build_object('preferenceHint', x.user_id IS NOT NULL),
              CASE WHEN x.frequency = 'DAILY' THEN 'DIGEST' ELSE 'PENDING' END,
              CASE WHEN x.frequency = 'DAILY' THEN $4::timestamptz ELSE now() + make_interval(secs => $14) END
         FROM (
           SELECT DISTINCT ON (c.address) c.* FROM (
             SELECT lower(u.email) AS address, u.organisation_id, u.id AS user_id, u.mail_frequency AS frequency, 1 AS rank
               FROM user_account u
              WHERE $5 AND u.organisation_id = $6 AND 'behandelaar' = ANY(u.roles) AND u.status = 'ACTIVE' AND u.locked_at IS NULL AND u.mail_frequency <> 'OFF'
             UNION ALL SELECT lower($7), $6::uuid, NULL, 'IMMEDIATE', 2 WHERE $5 AND $7::text IS NOT NULL
             UNION ALL SELECT lower($8), $9::uuid, a.id, coalesce(a.mail_frequency, 'IMMEDIATE'), 3
               FROM (SELECT 1) one LEFT JOIN LATERAL (
                 SELECT id, mail_frequency FROM user_account WHERE organisation_id = $9 AND lower(email) = lower($8) AND status <> 'DISABLED' ORDER BY created_at LIMIT 1
               ) a ON true
              WHERE $10 AND $11 <> 'SCHOOLMAILBOX' AND coalesce(a.mail_frequency, 'IMMEDIATE') <> 'OFF'
             UNION ALL SELECT lower($12), $9::uuid, NULL, 'IMMEDIATE', 4 WHERE $10 AND $11 <> 'MELDER' AND $12::text IS NOT NULL
           ) c
           WHERE c.address <> coalesce((SELECT lower(email) FROM user_account WHERE id = $13::uuid), '') AND (c.user_id IS NULL OR $13::uuid IS NULL OR c.user_id <> $13::uuid)
           ORDER BY c.address, c.rank
         ) x
       ON CONFLICT DO NOTHING`,
      [
        MailTemplate.REPORT_EVENT, notice.eventId, JSON.stringify(data), nextTimeInNL(this.config.MAIL_DIGEST_TIME),
        toReceiver, receiver.id, receiver.mailbox, f.reporterEmail, f.school.id, toSchool, f.emailCopies, f.school.mailbox,
        notice.actor.type === 'USER' ? notice.actor.id : null, this.config.MAIL_COALESCE_SECONDS,
      ],
    );
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
