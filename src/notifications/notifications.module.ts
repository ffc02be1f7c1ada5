import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AppConfig } from '../config/app-config';
import { masterKey } from '../config/master-key';
import { MailTemplates } from './mail-templates';
import { MailWorker } from './mail-worker.service';
import { NotificationAdminService } from './notification-admin.service';
import { NotificationsApiController } from './notifications.api.controller';
import { MailSecretBox, NotificationsService } from './notifications.service';

/** E-mail notifications: the outbox written with each change, the worker that delivers it, and its settings. */
@Module({
  imports: [AuditModule],
  controllers: [NotificationsApiController],
  providers: [
    NotificationsService,
    NotificationAdminService,
    MailWorker,
    { provide: MailTemplates, useFactory: () => new MailTemplates() },
    { provide: MailSecretBox, inject: [AppConfig], useFactory: (c: AppConfig) => new MailSecretBox(masterKey(c.PGN_ENCRYPTION_KEY, c.DATA_DIR)) },
  ],
  exports: [NotificationsService, NotificationAdminService],
})
export class NotificationsModule {}
