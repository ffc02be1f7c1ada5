import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AuditModule } from '../audit/audit.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { PgnCipher } from './pgn-cipher';
import { ReportEventsService } from './report-events.service';
import { ReportHandlingService } from './report-handling.service';
import { ReportsApiController } from './reports.api.controller';
import { ReportsService } from './reports.service';

@Module({
  imports: [OrganisationsModule, AuditModule, NotificationsModule],
  controllers: [ReportsApiController],
  providers: [
    ReportsService,
    ReportHandlingService,
    ReportEventsService,
    { provide: PgnCipher, inject: [AppConfig], useFactory: (c: AppConfig) => PgnCipher.fromConfig(c.PGN_ENCRYPTION_KEY, c.DATA_DIR) },
  ],
  exports: [ReportsService, ReportHandlingService],
})
export class ReportsModule {}
