import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AeadBox } from '../common/aead-box';
import { nextTimeInNL, nlDateTime } from '../common/dates';
import { AppConfig } from '../config/app-config';
import { Role } from '../identity/permissions';
import { MailFrequency, User, UserStatus } from '../identity/user.entity';
import { CLOSING_REASON_LABELS, ClosingReason, EmailCopies, ReportKind, STATUS_LABELS, ReportStatus } from '../kernel/report-codes';
import { ActivationMailer } from '../identity/activation-mailer';
import { RecordedReportEvent, ReportEventBus, ReportEventListener } from '../reports/report-event-bus';
import { ReportEventType } from '../reports/report-event.entity';
import { MailTemplate, OutboxMessage, OutboxStatus } from './outbox-message.entity';

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
const TO_RECEIVER: readonly ReportEventType[] = [ReportEventType.INGEDIEND, ReportEventType.GEWIJZIGD, ReportEventType.INGETROKKEN, ReportEventType.DOORGESTUURD];
const TO_SCHOOL: readonly ReportEventType[] = [ReportEventType.STATUS_GEWIJZIGD, ReportEventType.HEROPEND, ReportEventType.DOORGESTUURD];


interface Recipient {
  address: string;
  organisationId: string;
  userId: string | null;
  frequency: MailFrequency;
}

interface ReportFacts {
  number: number;
  kind: ReportKind;
  status: ReportStatus;
  closing_reason: ClosingReason | null;
  email_copies: EmailCopies;
  school_id: string;
  school: string;
  school_mailbox: string | null;
  location: string;
  receiver_id: string;
  receiver: string;
  receiver_mailbox: string | null;
  reporter_email: string;
}

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

  /** The e-mails about a change of a report, in the change's transaction. */
  async onReportEvent(m: EntityManager, notice: RecordedReportEvent): Promise<void> {
    const [facts]: ReportFacts[] = await m.query(
      `SELECT r.number, r.kind, r.status, r.closing_reason, r.email_copies,
              s.id AS school_id, s.name AS school, s.mailbox AS school_mailbox, l.name AS location,
              o.id AS receiver_id, o.name AS receiver, o.mailbox AS receiver_mailbox, rep.email AS reporter_email
         FROM report r
         JOIN organisation s ON s.id = r.school_id
         JOIN organisation o ON o.id = r.receiver_id
         JOIN location l ON l.id = r.location_id
         JOIN reporter rep ON rep.id = r.reporter_id
        WHERE r.id = $1`,
      [notice.reportId],
    );
    const bySchool = notice.actor.organisationId === facts.school_id;
    const recipients: Recipient[] = [];
    if (TO_RECEIVER.includes(notice.type) || (notice.type === ReportEventType.BERICHT && bySchool)) {
      recipients.push(...(await this.receiverSide(m, facts)));
    }
    if (TO_SCHOOL.includes(notice.type) || (notice.type === ReportEventType.BERICHT && !bySchool)) {
      recipients.push(...(await this.schoolSide(m, facts)));
    }
    const data = {
      type: notice.type,
      bySchool,
      number: facts.number,
      kind: KIND_IN_MAIL[facts.kind],
      school: facts.school,
      location: facts.location,
      receiver: facts.receiver,
      status: STATUS_LABELS[facts.status],
      closingReason: notice.type === ReportEventType.STATUS_GEWIJZIGD && facts.closing_reason ? CLOSING_REASON_LABELS[facts.closing_reason] : null,
      forwardedFrom: notice.type === ReportEventType.DOORGESTUURD ? await this.organisationName(m, notice.details.from) : null,
      link: `${this.config.PUBLIC_URL}/meldingen/${facts.number}`,
    };
    const actorEmail = notice.actor.type === 'USER'
      ? ((await m.getRepository(User).findOne({ where: { id: notice.actor.id }, select: { email: true } }))?.email.toLowerCase() ?? null)
      : null;
    const seen = new Set<string>();
    const rows: Partial<OutboxMessage>[] = [];
    for (const r of recipients) {
      // Nobody hears of their own action; an address hears of an event once, however many ways it qualifies.
      if (seen.has(r.address) || r.address === actorEmail || (r.userId !== null && r.userId === notice.actor.id)) continue;
      seen.add(r.address);
      const digest = r.frequency === MailFrequency.DAILY;
      rows.push({
        template: MailTemplate.REPORT_EVENT,
        eventId: notice.eventId,
        organisationId: r.organisationId,
        userId: r.userId,
        recipient: r.address,
        data: { ...data, preferenceHint: r.userId !== null },
        status: digest ? OutboxStatus.DIGEST : OutboxStatus.PENDING,
        ...(digest ? { nextAttemptAt: nextTimeInNL(this.config.MAIL_DIGEST_TIME) } : {}),
      });
    }
    if (rows.length > 0) await m.createQueryBuilder().insert().into(OutboxMessage).values(rows as never).orIgnore().execute();
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

  /** The receiving organisation: its behandelaars who have not opted out, and its general mailbox. */
  private async receiverSide(m: EntityManager, f: ReportFacts): Promise<Recipient[]> {
    const users: { id: string; email: string; mail_frequency: MailFrequency }[] = await m.query(
      `SELECT id, email, mail_frequency FROM user_account
        WHERE organisation_id = $1 AND $2 = ANY(roles) AND status = $3 AND locked_at IS NULL AND mail_frequency <> $4
        ORDER BY username`,
      [f.receiver_id, Role.BEHANDELAAR, UserStatus.ACTIVE, MailFrequency.OFF],
    );
    const out: Recipient[] = users.map((u) => ({ address: u.email.toLowerCase(), organisationId: f.receiver_id, userId: u.id, frequency: u.mail_frequency }));
    if (f.receiver_mailbox) out.push(mailbox(f.receiver_mailbox, f.receiver_id));
    return out;
  }

  /**
   * The school, as the report's copy choice says: the reporter named on it, the school's mailbox, or both. When the
   * reporter has an account at the school under the same address, their own choice (immediate, daily, off) holds.
   */
  private async schoolSide(m: EntityManager, f: ReportFacts): Promise<Recipient[]> {
    const out: Recipient[] = [];
    if (f.email_copies !== EmailCopies.SCHOOLMAILBOX) {
      const address = f.reporter_email.toLowerCase();
      const [account]: { id: string; mail_frequency: MailFrequency }[] = await m.query(
        `SELECT id, mail_frequency FROM user_account WHERE organisation_id = $1 AND lower(email) = $2 AND status <> $3 ORDER BY created_at LIMIT 1`,
        [f.school_id, address, UserStatus.DISABLED],
      );
      if (account?.mail_frequency !== MailFrequency.OFF) {
        out.push({ address, organisationId: f.school_id, userId: account?.id ?? null, frequency: account?.mail_frequency ?? MailFrequency.IMMEDIATE });
      }
    }
    if (f.email_copies !== EmailCopies.MELDER && f.school_mailbox) out.push(mailbox(f.school_mailbox, f.school_id));
    return out;
  }

  private async organisationName(m: EntityManager, code: unknown): Promise<string | null> {
    if (typeof code !== 'string') return null;
    const [row]: { name: string }[] = await m.query('SELECT name FROM organisation WHERE code = $1', [code]);
    return row?.name ?? null;
  }
}

function mailbox(address: string, organisationId: string): Recipient {
  return { address: address.toLowerCase(), organisationId, userId: null, frequency: MailFrequency.IMMEDIATE };
}
