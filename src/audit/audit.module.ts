import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { AuditContextMiddleware } from './audit-context';
import { AuditApiController } from './audit.api.controller';
import { AuditLogPagesController } from './audit-log.pages.controller';
import { AuditService } from './audit.service';

/** The audit log: AuditService.record for every module that must log, and the beheerder's query API. */
@Module({
  controllers: [AuditApiController, AuditLogPagesController],
  providers: [AuditService],
  exports: [AuditService],
})
export class AuditModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AuditContextMiddleware).forRoutes('*path');
  }
}
