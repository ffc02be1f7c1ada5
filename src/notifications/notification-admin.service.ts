import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { DataSource, In } from 'typeorm';
import { AuditAction, AuditSubjectType } from '../audit/audit-event.entity';
import { AuditService, byActor } from '../audit/audit.service';
import { ErrorCode, notFound, ProblemError } from '../common/problem';
import { Actor } from '../kernel/actor';
import { MailFrequency, User } from '../identity/user.entity';
import { Organisation } from '../organisations/organisation.entity';
import { MailTemplates } from './mail-templates';
import { FailedMailPage, FailedMailView } from './notifications.dto';
import { FAILED_LIST_TEMPLATES, MailTemplate, OutboxMessage, OutboxStatus } from './outbox-message.entity';
import { OrganisationType } from '../kernel/organisation-type';

/** The settings behind the notifications, and the failed e-mails a beheerder (own organisation) or the operator (all) looks after. */
@Injectable()
export class NotificationAdminService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly templates: MailTemplates,
    private readonly audit: AuditService,
  ) {}

  async mailbox(organisationId: string): Promise<string | null> {
    return (await this.db.getRepository(Organisation).findOneByOrFail({ id: organisationId })).mailbox;
  }

  /** The organisation's general address (null: none); audited. */
  async setMailbox(actor: Actor, mailbox: string | null): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.getRepository(Organisation).update(actor.organisationId, { mailbox: mailbox?.trim().toLowerCase() || null });
      await this.audit.record(byActor(actor, AuditAction.MAILBOX_CHANGED, { subjectType: AuditSubjectType.ORGANISATION, subjectId: actor.organisationCode }), m);
    });
  }

  async frequency(userId: string): Promise<MailFrequency> {
    return (await this.db.getRepository(User).findOneByOrFail({ id: userId })).mailFrequency;
  }

  /** A person's choice; a beheerder may set it for the people of their own organisation. Audited. */
  async setFrequency(actor: Actor, userId: string, frequency: MailFrequency): Promise<void> {
    await this.db.transaction(async (m) => {
      const result = isUUID(userId) ? await m.getRepository(User).update({ id: userId, organisationId: actor.organisationId }, { mailFrequency: frequency }) : { affected: 0 };
      if (!result.affected) throw notFound('Dit account bestaat niet.');
      await this.audit.record(byActor(actor, AuditAction.MAIL_PREFERENCE_CHANGED, { subjectType: AuditSubjectType.USER, subjectId: userId, details: { frequency } }), m);
    });
  }

  async failed(actor: Actor, limit = 50, offset = 0): Promise<FailedMailPage> {
    const scope = this.scope(actor);
    const [rows, total] = await this.db.getRepository(OutboxMessage).findAndCount({
      where: { status: OutboxStatus.FAILED, template: In([...FAILED_LIST_TEMPLATES]), ...scope },
      relations: { organisation: true },
      order: { createdAt: 'DESC', id: 'ASC' },
      take: limit,
      skip: offset,
    });
    return { items: rows.map((r) => this.view(r)), total };
  }

  /** Sends a parked message again, from the first attempt; it keeps its Message-ID. */
  async resend(actor: Actor, id: string): Promise<OutboxMessage> {
    return this.db.transaction(async (m) => {
      const row = isUUID(id) ? await m.getRepository(OutboxMessage).findOne({ where: { id, ...this.scope(actor) }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!row) throw notFound('Deze e-mail bestaat niet of is niet voor u zichtbaar.');
      if (row.status !== OutboxStatus.FAILED) {
        throw new ProblemError(ErrorCode.CONFLICT, 'Alleen een mislukte e-mail kan opnieuw verstuurd worden; deze is al verstuurd of wacht nog.');
      }
      await m.getRepository(OutboxMessage).update(row.id, { status: OutboxStatus.PENDING, attempts: 0, nextAttemptAt: () => 'now()', claimedUntil: null });
      await this.audit.record(byActor(actor, AuditAction.MAIL_RESENT, { subjectType: AuditSubjectType.MAIL, subjectId: row.id, details: { template: row.template } }), m);
      return row;
    });
  }

  private scope(actor: Actor): { organisationId?: string } {
    return actor.organisationType === OrganisationType.OPERATOR ? {} : { organisationId: actor.organisationId };
  }

  private view(r: OutboxMessage): FailedMailView {
    const number = r.template === MailTemplate.REPORT_EVENT ? Number(r.data.number) : null;
    return {
      id: r.id,
      organisation: r.organisation.code,
      template: r.template,
      recipient: r.recipient,
      subject: this.templates.subject(r.template, r.data),
      reportNumber: number,
      attempts: r.attempts,
      lastError: r.lastError,
      createdAt: r.createdAt.toISOString(),
    };
  }
}
