import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { DuoImportService } from './duo-import.service';
import { OrganisationsApiController } from './organisations.api.controller';
import { OrganisationsService } from './organisations.service';
import { OperatorPagesController } from './operator.pages.controller';
import { OrganisationPage } from './organisation-page';
import { SchoolDataPagesController } from './school-data.pages.controller';
import { SchoolDataApiController } from './school-data.api.controller';
import { SchoolDataService } from './school-data.service';

@Module({
  imports: [AuditModule],
  controllers: [OrganisationsApiController, SchoolDataApiController, OperatorPagesController, SchoolDataPagesController],
  providers: [OrganisationsService, SchoolDataService, DuoImportService, OrganisationPage],
  exports: [OrganisationsService, SchoolDataService, DuoImportService, OrganisationPage],
})
export class OrganisationsModule {}
