import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AppConfig } from '../config/app-config';
import { masterKey } from '../config/master-key';
import { ReportsModule } from '../reports/reports.module';
import { AttachmentCipher } from './attachment-store';
import { AttachmentsApiController } from './attachments.api.controller';
import { AttachmentsPagesController } from './attachments.pages.controller';
import { AttachmentsService } from './attachments.service';

/** Attachments (aanvullingen) of reports: stored encrypted in PostgreSQL, streamed in and out, optionally virus-scanned. */
@Module({
  imports: [ReportsModule, AuditModule],
  controllers: [AttachmentsApiController, AttachmentsPagesController],
  providers: [
    AttachmentsService,
    { provide: AttachmentCipher, inject: [AppConfig], useFactory: (c: AppConfig) => new AttachmentCipher(masterKey(c.PGN_ENCRYPTION_KEY, c.DATA_DIR)) },
  ],
})
export class AttachmentsModule {}
