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
import { ReadMarks } from './read-marks';
import { ReportAssignmentsService } from './report-assignments.service';
import { WorkloadApiController } from './workload.api.controller';

@Module({
  imports: [OrganisationsModule, AuditModule],
  controllers: [WorkloadApiController, ReportsApiController, ReportsPagesController, ReportPagesController],
  providers: [
    ReportEventBus,
    ReportQueries,
    ReadMarks,
    ReportAssignmentsService,
    ReportForms,
    ReportsService,
    ReportHandlingService,
    ReportEventsService,
    { provide: PgnCipher, inject: [AppConfig], useFactory: (c: AppConfig) => PgnCipher.fromConfig(c.PGN_ENCRYPTION_KEY, c.DATA_DIR) },
  ],
  exports: [ReportsService, ReportHandlingService, ReportEventBus],
})
export class ReportsModule {}
