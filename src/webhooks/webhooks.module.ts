import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { masterKey } from '../config/master-key';
import { ReportsModule } from '../reports/reports.module';
import { WebhookOutbox } from './webhook-outbox.service';
import { WebhookSecretBox } from './webhook-signing';
import { WebhookWakeup } from './webhook-wakeup';
import { WebhookWorker } from './webhook-worker.service';
import { WebhooksApiController } from './webhooks.api.controller';
import { WebhooksPagesController } from './webhooks.pages.controller';
import { WebhooksService } from './webhooks.service';

/**
 * Webhooks: the outbox written with each change of a report (it subscribes to the ReportEventBus), the worker that
 * delivers it, and the beheerder's endpoints (API and pages). The e-mail when an endpoint is disabled goes through
 * WebhookAlerts, which notifications provides (it is global), so that this module does not import notifications.
 */
@Module({
  imports: [ReportsModule],
  controllers: [WebhooksApiController, WebhooksPagesController],
  providers: [
    WebhooksService,
    WebhookOutbox,
    WebhookWorker,
    WebhookWakeup,
    { provide: WebhookSecretBox, inject: [AppConfig], useFactory: (c: AppConfig) => new WebhookSecretBox(masterKey(c.PGN_ENCRYPTION_KEY, c.DATA_DIR)) },
  ],
  exports: [WebhookSecretBox],
})
export class WebhooksModule {}
