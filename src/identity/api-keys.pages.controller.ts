import { Body, Controller, Get, Header, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { nlDateTime } from '../common/dates';
import { FieldError, notFound } from '../common/problem';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { Actor } from '../kernel/actor';
import { KeptInputService } from '../web/kept-input.service';
import { confirmPage } from '../web/confirm';
import { fieldErrorsOf, listOf, pageErrors, unflatten, validateAs } from '../web/forms';
import { nav } from '../web/nav';
import { PageContext, PageRenderer } from '../web/page-renderer';
import { PortalFilter } from '../web/portal.filter';
import { NewApiKeyInput } from './api-keys.api.controller';
import { ApiKeysService } from './api-keys.service';
import { Role, ROLES_BY_ORGANISATION } from './permissions';

/** The roles a key can carry, as a beheerder reads them (a key never manages accounts or keys, whatever its roles). */
const ROLE_LABELS: Record<Role, string> = {
  [Role.MELDER]: 'Melder', [Role.LEZER]: 'Lezer', [Role.BEHANDELAAR]: 'Behandelaar', [Role.BEHEERDER]: 'Beheerder', [Role.OPERATOR]: 'Functioneel beheer',
};
const ROLE_HINTS: Record<Role, string> = {
  [Role.MELDER]: 'meldingen indienen, aanvullen en intrekken',
  [Role.LEZER]: 'meldingen alleen lezen',
  [Role.BEHANDELAAR]: 'meldingen behandelen en beantwoorden',
  [Role.BEHEERDER]: 'gegevens van de organisatie bijhouden, zoals locaties en melders (geen accounts of sleutels)',
  [Role.OPERATOR]: 'organisaties en referentiegegevens',
};

const KEY_LABELS: Record<string, string> = { name: 'Naam van de sleutel', roles: 'Rollen' };
const DONE_KEYS: Record<string, string> = {
  ingetrokken: 'De sleutel is ingetrokken: hij werkt vanaf nu niet meer.',
  gemaakt: 'De sleutel is gemaakt. Hij werd één keer getoond; kwijt? Trek hem in en maak een nieuwe.',
};
const KEYS_PAGE = '/beheer/sleutels';

/** Beheer API-sleutels: the keys of the organisation's systems, made (secret shown once) and revoked. */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller()
export class ApiKeysPagesController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly keys: ApiKeysService,
    private readonly kept: KeptInputService,
  ) {}

  // API keys

  @Get('beheer/sleutels')
  @Allow(Permission.APIKEY_MANAGE)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async apiKeys(
    @CurrentActor() actor: Actor, @Query('gedaan') done: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    // The secret of a key just made, once: held server-side for this person and this page, deleted as it is read.
    const issued = done === 'gemaakt' ? await this.kept.takeFlash<{ name: string; secret: string }>(req, res, actor.id, KEYS_PAGE) : null;
    const notice = issued ? `De sleutel ${issued.name} is gemaakt.` : DONE_KEYS[done ?? ''];
    return this.pages.render('identity/api-keys', { ...(await this.apiKeysContext(actor, { roles: [] }, [], notice)), issued });
  }

  /**
   * Makes a key, then Post/Redirect/Get: the secret waits sealed on the server for the next page (never in the
   * redirect's address, never in a cache), which shows it once. Reloading that page makes no second key, and no
   * longer shows the secret.
   */
  @Post('beheer/sleutels')
  @Allow(Permission.APIKEY_MANAGE)
  async createApiKey(@CurrentActor() actor: Actor, @Body() form: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const roles = listOf(form.roles);
    const values = { ...unflatten({ name: form.name }), roles };
    const { input, errors } = await validateAs(NewApiKeyInput, values);
    let problems = errors;
    if (input) {
      try {
        const { key, secret } = await this.keys.createBy(actor, input.name, input.roles);
        await this.kept.flash(res, actor.id, KEYS_PAGE, { name: key.name, secret });
        res.redirect(303, `${KEYS_PAGE}?gedaan=gemaakt`);
        return;
      } catch (error) {
        problems = fieldErrorsOf(error, { field: 'roles', forbiddenOnPage: true });
      }
    }
    res.status(422).type('html').send(this.pages.render('identity/api-keys', await this.apiKeysContext(actor, { ...values, roles }, pageErrors(problems, KEY_LABELS))));
  }

  @Get('beheer/sleutels/:id/intrekken')
  @Allow(Permission.APIKEY_MANAGE)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async confirmRevokeApiKey(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<string> {
    const key = (await this.keys.list(actor.organisationId)).find((k) => k.id === id && !k.revokedAt);
    if (!key) throw notFound();
    return this.pages.render('confirm', confirmPage(nav(actor, 'beheer'), {
      title: `Sleutel ${key.name} intrekken?`,
      consequences: [
        `Het pakket dat sleutel ${key.name} (begint met ${key.prefix}) gebruikt, kan vanaf nu niets meer met Verzuimloket: elk verzoek wordt geweigerd.`,
        'Intrekken kan niet ongedaan worden gemaakt. Is de sleutel nog nodig, maak dan een nieuwe en zet die in het pakket.',
      ],
      action: `/beheer/sleutels/${key.id}/intrekken`, button: 'Ja, sleutel intrekken', back: KEYS_PAGE,
    }));
  }

  @Post('beheer/sleutels/:id/intrekken')
  @Allow(Permission.APIKEY_MANAGE)
  async revokeApiKey(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    await this.keys.revokeBy(actor, id);
    res.redirect(303, '/beheer/sleutels?gedaan=ingetrokken');
  }

  private async apiKeysContext(actor: Actor, values: Record<string, unknown>, errors: FieldError[], notice?: string): Promise<PageContext> {
    const keys = await this.keys.list(actor.organisationId);
    return {
      title: 'API-sleutels', nav: nav(actor, 'beheer'), values, errors, notice,
      // Only roles the beheerder holds: a key never carries more than the person who makes it.
      roleOptions: ROLES_BY_ORGANISATION[actor.organisationType].filter((r) => actor.roles.includes(r)).map((r) => ({ value: r, label: ROLE_LABELS[r], hint: ROLE_HINTS[r] })),
      keys: keys
        .sort((a, b) => Number(!!a.revokedAt) - Number(!!b.revokedAt) || b.createdAt.getTime() - a.createdAt.getTime())
        .map((k) => ({
          id: k.id, name: k.name, prefix: k.prefix, roles: k.roles.map((r) => ROLE_LABELS[r as Role] ?? r).join(', '),
          createdAt: nlDateTime(k.createdAt), lastUsedAt: k.lastUsedAt ? nlDateTime(k.lastUsedAt) : null, revokedAt: k.revokedAt ? nlDateTime(k.revokedAt) : null,
        })),
    };
  }
}
