import { Global, Module } from '@nestjs/common';
import { ActivationMailer } from '../identity/activation-mailer';
import { IdentityModule } from '../identity/identity.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { ReportsModule } from '../reports/reports.module';
import { MailSettingsPagesController } from './mail-settings.pages.controller';
import { AuditModule } from '../audit/audit.module';
import { AppConfig } from '../config/app-config';
import { masterKey } from '../config/master-key';
import { MailTemplates } from './mail-templates';
import { MailWorker } from './mail-worker.service';
import { NotificationAdminService } from './notification-admin.service';
import { NotificationsApiController } from './notifications.api.controller';
import { MailSecretBox, NotificationsService } from './notifications.service';
import { WebhookAlerts } from '../webhooks/webhook-alerts';
import { WebhookAlertMailer } from './webhook-alert-mailer';

/**
 * E-mail notifications: the outbox written with each change of a report (it subscribes to the ReportEventBus) and
 * with each activation (it provides identity's ActivationMailer), the worker that delivers it, and its settings.
 * Global, so that identity receives the ActivationMailer, and webhooks its WebhookAlerts, without importing this module.
 */
@Global()
@Module({
  imports: [AuditModule, IdentityModule, OrganisationsModule, ReportsModule],
  controllers: [NotificationsApiController, MailSettingsPagesController],
  providers: [
    NotificationsService,
    { provide: ActivationMailer, useExisting: NotificationsService },
    { provide: WebhookAlerts, useClass: WebhookAlertMailer },
    NotificationAdminService,
    MailWorker,
    { provide: MailTemplates, useFactory: () => new MailTemplates() },
    { provide: MailSecretBox, inject: [AppConfig], useFactory: (c: AppConfig) => new MailSecretBox(masterKey(c.PGN_ENCRYPTION_KEY, c.DATA_DIR)) },
  ],
  exports: [NotificationsService, NotificationAdminService, ActivationMailer, WebhookAlerts],
})
export class NotificationsModule {}
