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
import { ExportsApiController } from './export/exports.api.controller';
import { ExportsPagesController } from './export/exports.pages.controller';
import { ReportExportsService } from './export/report-exports.service';
import { ReportPdfService } from './export/report-pdf.service';

@Module({
  imports: [OrganisationsModule, AuditModule],
  // The exports first: their paths (reports/export, meldingen/export) would otherwise be taken for a meldingsnummer.
  controllers: [ExportsApiController, ExportsPagesController, ReportsApiController, ReportsPagesController, ReportPagesController],
  providers: [
    ReportEventBus,
    ReportPageSections,
    ReportQueries,
    ReportForms,
    ReportsService,
    ReportHandlingService,
    ReportEventsService,
    ReportExportsService,
    ReportPdfService,
    { provide: PgnCipher, inject: [AppConfig], useFactory: (c: AppConfig) => PgnCipher.fromConfig(c.PGN_ENCRYPTION_KEY, c.DATA_DIR) },
  ],
  exports: [ReportsService, ReportHandlingService, ReportEventBus, ReportEventsService, ReportPageSections],
})
export class ReportsModule {}
