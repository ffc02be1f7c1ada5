import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { RetentionModule } from '../retention/retention.module';
import { MonthlyReportsApiController } from './monthly-reports.api.controller';
import { MonthlyReportsService } from './monthly-reports.service';
import { ReportingPagesController } from './reporting.pages.controller';

/** Reporting (issue 12): monthly reports (and the jaaropgave), for the role rapportage and the beheerder. */
@Module({
  imports: [AuditModule, RetentionModule],
  controllers: [MonthlyReportsApiController, ReportingPagesController],
  providers: [MonthlyReportsService],
  exports: [MonthlyReportsService],
})
export class ReportingModule {}
