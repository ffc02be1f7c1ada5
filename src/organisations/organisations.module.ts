import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { DuoImportService } from './duo-import.service';
import { OrganisationsApiController } from './organisations.api.controller';
import { OrganisationsService } from './organisations.service';
import { SchoolDataApiController } from './school-data.api.controller';
import { SchoolDataService } from './school-data.service';

@Module({
  imports: [AuditModule],
  controllers: [OrganisationsApiController, SchoolDataApiController],
  providers: [OrganisationsService, SchoolDataService, DuoImportService],
  exports: [OrganisationsService, SchoolDataService, DuoImportService],
})
export class OrganisationsModule {}
