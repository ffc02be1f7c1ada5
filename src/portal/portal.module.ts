import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { IdentityModule } from '../identity/identity.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { ReportsModule } from '../reports/reports.module';
import { AccountsPageController } from './accounts.page.controller';
import { ActivationPageController } from './activation.page.controller';
import { OperatorPageController } from './operator.page.controller';
import { PageRenderer } from './page-renderer';
import { PortalFilter } from './portal.filter';
import { ReportsPageController } from './reports.page.controller';
import { SchoolDataPageController } from './school-data.page.controller';
import { SettingsPageController } from './settings.page.controller';
import { SignInPageController } from './sign-in.page.controller';

/**
 * The portal: server-rendered pages (templates/pages) for the people of schools, municipalities and the operator,
 * on the same services as the API. Works without JavaScript.
 */
@Module({
  imports: [IdentityModule, OrganisationsModule, ReportsModule, NotificationsModule, AuditModule],
  controllers: [
    SignInPageController, ActivationPageController, ReportsPageController, AccountsPageController, SchoolDataPageController,
    OperatorPageController, SettingsPageController,
  ],
  providers: [{ provide: PageRenderer, useFactory: () => new PageRenderer() }, PortalFilter],
})
export class PortalModule {}
