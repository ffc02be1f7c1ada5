import { Controller, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PortalFilter } from './portal.filter';

/** API keys, the organisation's e-mail settings and failed e-mails, the audit log, and a person's own e-mail choice. */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller()
export class SettingsPageController {}
