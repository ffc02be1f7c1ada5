import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AuditModule } from '../audit/audit.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { PgnCipher } from './pgn-cipher';
import { ReportEventsService } from './report-events.service';
import { ReportHandlingService } from './report-handling.service';
import { ReportsApiController } from './reports.api.controller';
import { ReportsService } from './reports.service';
import { ReportEventBus } from './report-event-bus';
import { ReportQueries } from './report-queries';
import { ReportForms } from './report-forms';
import { ReportPagesController } from './report.pages.controller';
import { ReportsPagesController } from './reports.pages.controller';
import { ReportPageSections } from './report-page-sections';

@Module({
  imports: [OrganisationsModule, AuditModule],
  controllers: [ReportsApiController, ReportsPagesController, ReportPagesController],
  providers: [
    ReportEventBus,
    ReportPageSections,
    ReportQueries,
    ReportForms,
    ReportsService,
    ReportHandlingService,
    ReportEventsService,
    { provide: PgnCipher, inject: [AppConfig], useFactory: (c: AppConfig) => PgnCipher.fromConfig(c.PGN_ENCRYPTION_KEY, c.DATA_DIR) },
  ],
  exports: [ReportsService, ReportHandlingService, ReportEventBus, ReportEventsService, ReportPageSections],
})
export class ReportsModule {}
