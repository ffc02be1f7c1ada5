import { Module } from '@nestjs/common';
import { AuditApiController } from './audit.api.controller';
import { AuditLogPagesController } from './audit-log.pages.controller';
import { AuditService } from './audit.service';

/** The audit log: AuditService.record for every module that must log, and the beheerder's query API. */
@Module({
  controllers: [AuditApiController, AuditLogPagesController],
  providers: [AuditService],
  exports: [AuditService],
})
export class AuditModule {}
