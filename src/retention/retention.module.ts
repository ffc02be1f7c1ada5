import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { JobRunner } from './job-runner';
import { RetentionQueries } from './retention-queries';
import { RetentionPagesController } from './retention.pages.controller';
import { RetentionScheduler } from './retention.scheduler';
import { RetentionService } from './retention.service';

/** Retention terms and erasure (issue 12, ADR 0009): the nightly job, destruction records, the operator's page. */
@Module({
  imports: [AuditModule],
  controllers: [RetentionPagesController],
  providers: [JobRunner, RetentionService, RetentionQueries, RetentionScheduler],
  exports: [JobRunner, RetentionScheduler],
})
export class RetentionModule {}
