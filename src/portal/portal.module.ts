import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { ReportsModule } from '../reports/reports.module';
import { ActivationPageController } from './activation.page.controller';
import { PageRenderer } from './page-renderer';
import { PortalFilter } from './portal.filter';
import { ReportsPageController } from './reports.page.controller';
import { SignInPageController } from './sign-in.page.controller';

/**
 * The portal: server-rendered pages (templates/pages) for the people of schools, municipalities and the operator,
 * on the same services as the API. Works without JavaScript.
 */
@Module({
  imports: [IdentityModule, OrganisationsModule, ReportsModule],
  controllers: [SignInPageController, ActivationPageController, ReportsPageController],
  providers: [{ provide: PageRenderer, useFactory: () => new PageRenderer() }, PortalFilter],
})
export class PortalModule {}
