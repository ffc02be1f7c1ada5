import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { MetricsService } from './metrics.service';

@Module({ imports: [AuditModule], providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}
