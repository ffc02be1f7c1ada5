import { Controller, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PortalFilter } from './portal.filter';

/** Beheer locaties and Beheer melders, for a school's beheerder. */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller()
export class SchoolDataPageController {}
