import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { nlDateTime } from '../common/dates';
import { AppConfig } from '../config/app-config';
import { Role } from '../identity/permissions';
import { UserStatus } from '../identity/user.entity';
import { DisabledEndpointNotice, WebhookAlerts } from '../webhooks/webhook-alerts';
import { DisabledReason } from '../webhooks/webhook-endpoint.entity';
import { MailTemplate, OutboxMessage } from './outbox-message.entity';

/**
 * Provides webhooks' WebhookAlerts: a disabled endpoint e-mails the organisation's beheerders (else its general
 * mailbox), through the outbox, in the transaction that disables it. Names the endpoint's description and host, never
 * a report's content.
 */
@Injectable()
export class WebhookAlertMailer extends WebhookAlerts {
  constructor(private readonly config: AppConfig) {
    super();
  }

  async endpointDisabled(m: EntityManager, notice: DisabledEndpointNotice): Promise<void> {
    const [org]: { name: string; mailbox: string | null }[] = await m.query('SELECT name, mailbox FROM organisation WHERE id = $1', [notice.organisationId]);
    const beheerders: { id: string; email: string }[] = await m.query(
      `SELECT id, email FROM user_account WHERE organisation_id = $1 AND $2 = ANY(roles) AND status = $3 AND locked_at IS NULL ORDER BY username`,
      [notice.organisationId, Role.BEHEERDER, UserStatus.ACTIVE],
    );
    const to = beheerders.length > 0 ? beheerders.map((b) => ({ userId: b.id as string | null, address: b.email.toLowerCase() })) : org.mailbox ? [{ userId: null, address: org.mailbox.toLowerCase() }] : [];
    if (to.length === 0) return;
    const data = {
      organisation: org.name,
      description: notice.description,
      host: notice.host,
      gone: notice.reason === DisabledReason.GONE,
      since: notice.failingSince ? nlDateTime(notice.failingSince, 'long') : null,
      lastAnswer: notice.lastAnswer ? notice.lastAnswer.slice(0, 200) : null,
      link: `${this.config.PUBLIC_URL}/beheer/webhooks/${notice.endpointId}`,
    };
    await m.getRepository(OutboxMessage).insert(
      [...new Map(to.map((t) => [t.address, t])).values()].map((t) => ({
        template: MailTemplate.WEBHOOK_DISABLED, organisationId: notice.organisationId, userId: t.userId, recipient: t.address, data: data as never,
      })),
    );
  }
}
