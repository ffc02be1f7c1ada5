import { Controller, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PortalFilter } from './portal.filter';

/** For the operator: organisations, delegations and alternative routing, the import of DUO's file. */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller()
export class OperatorPageController {}
