import { Module } from '@nestjs/common';
import { DuoImportService } from './duo-import.service';
import { OrganisationsApiController } from './organisations.api.controller';
import { OrganisationsService } from './organisations.service';
import { SchoolDataApiController } from './school-data.api.controller';
import { SchoolDataService } from './school-data.service';

@Module({
  controllers: [OrganisationsApiController, SchoolDataApiController],
  providers: [OrganisationsService, SchoolDataService, DuoImportService],
  exports: [OrganisationsService, SchoolDataService, DuoImportService],
})
export class OrganisationsModule {}
