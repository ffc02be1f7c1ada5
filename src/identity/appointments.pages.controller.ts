import { Body, Controller, OnModuleInit, Param, Post, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { ErrorCode, notFound, ProblemError } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { Actor } from '../kernel/actor';
import { OrganisationType } from '../kernel/organisation-type';
import { Organisation } from '../organisations/organisation.entity';
import { OrganisationPage } from '../organisations/organisation-page';
import { OrganisationsService } from '../organisations/organisations.service';
import { fieldErrorsOf, pageErrors, unflatten, validateAs } from '../web/forms';
import { nav } from '../web/nav';
import { PageRenderer } from '../web/page-renderer';
import { PortalFilter } from '../web/portal.filter';
import { AccountsService } from './accounts.service';
import { sendActivationLetter } from './activation-letter';
import { AppointInput } from './identity.dto';
import { Role } from './permissions';
import { UserStatus } from './user.entity';

const STATUS_LABELS: Record<UserStatus, string> = {
  [UserStatus.PENDING]: 'Wacht op activering', [UserStatus.ACTIVE]: 'Actief', [UserStatus.DISABLED]: 'Uitgeschakeld',
};
const LABELS = { username: 'Gebruikersnaam', name: 'Naam', email: 'E-mailadres', activation: 'Activering' };

/**
 * The operator appoints the (first) beheerder of an organisation, on the organisation's page: this capability adds
 * the section with its beheerders and the form (OrganisationPage.add) and takes the form; the page is organisations'.
 * The same service as POST /api/v1/organisations/:code/beheerders: activation by an e-mailed link, or by a letter
 * whose code is shown on the next page this once.
 */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller('organisaties')
export class AppointmentsPagesController implements OnModuleInit {
  constructor(
    private readonly pages: PageRenderer,
    private readonly page: OrganisationPage,
    private readonly organisations: OrganisationsService,
    private readonly accounts: AccountsService,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.page.add({
      partial: 'identity/beheerders',
      context: async (actor, org) => ({
        beheerders: (await this.accounts.list(org.id)).filter((u) => u.roles.includes(Role.BEHEERDER))
          .map((u) => ({ name: u.name, username: u.username, status: STATUS_LABELS[u.status] })),
        canAppoint: actor.permissions.has(Permission.BEHEERDER_APPOINT) && org.type !== OrganisationType.OPERATOR,
        activations: [
          { value: 'LINK', label: 'Activeringslink per e-mail' },
          { value: 'LETTER', label: 'Brief met een activeringscode, om af te drukken en te overhandigen' },
        ],
      }),
    });
  }

  @Post(':code/beheerder')
  @Allow(Permission.BEHEERDER_APPOINT)
  async appoint(@CurrentActor() actor: Actor, @Param('code') code: string, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const org = await this.require(code);
    if (org.type === OrganisationType.OPERATOR) throw new ProblemError(ErrorCode.FORBIDDEN, 'Accounts voor functioneel beheer maakt u met de opdrachtregel.');
    const values = unflatten(form);
    const { input, errors } = await validateAs(AppointInput, values);
    let problems = errors;
    if (input) {
      try {
        const { user, activation } = await this.accounts.appoint(org.code, input, input.activation ?? 'LINK', 'MAIL', actor);
        if (activation.kind === 'LETTER') {
          sendActivationLetter(res, this.pages, {
            nav: nav(actor, 'operator'), back: { href: `/organisaties/${encodeURIComponent(org.code)}`, label: `Terug naar ${org.name}` },
            user, organisation: org.name, appointed: true, activation, publicUrl: this.config.PUBLIC_URL,
          });
          return;
        }
        res.redirect(303, `/organisaties/${encodeURIComponent(org.code)}?gedaan=beheerder`);
        return;
      } catch (error) {
        problems = fieldErrorsOf(error);
      }
    }
    res.status(422).type('html').send(await this.page.render(actor, org, { values, errors: pageErrors(problems, LABELS) }));
  }

  private async require(code: string): Promise<Organisation> {
    const org = /^[A-Za-z0-9-]{1,20}$/.test(code) ? await this.organisations.findByCode(code) : null;
    if (!org) throw notFound('Deze organisatie bestaat niet.');
    return org;
  }
}
