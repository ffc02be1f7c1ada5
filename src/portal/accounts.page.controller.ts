import { Controller, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PortalFilter } from './portal.filter';

/** Beheer gebruikers: accounts, roles, activation (link or printable letter), tokens, lock, unlock, sessions, disable; and the /beheer index. */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller()
export class AccountsPageController {}
