import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { RetentionModule } from '../retention/retention.module';
import { AnnualReportsApiController } from './annual-reports.api.controller';
import { AnnualReportsPagesController } from './annual-reports.pages.controller';
import { AnnualReportsService } from './annual-reports.service';
import { MonthlyReportsApiController } from './monthly-reports.api.controller';
import { MonthlyReportsService } from './monthly-reports.service';
import { ReportingPagesController } from './reporting.pages.controller';

/** Reporting (issue 12): monthly reports (and the jaaropgave), for the role rapportage and the beheerder. */
@Module({
  imports: [AuditModule, RetentionModule],
  // The jaaropgave's pages first: /rapportages/jaaropgave must not be taken for a monthly report's id.
  controllers: [MonthlyReportsApiController, AnnualReportsApiController, AnnualReportsPagesController, ReportingPagesController],
  providers: [MonthlyReportsService, AnnualReportsService],
  exports: [MonthlyReportsService],
})
export class ReportingModule {}
