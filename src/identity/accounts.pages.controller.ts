import { Body, Controller, Get, Header, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { nlDateTime } from '../common/dates';
import { FieldError } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { AccountsService, Activation } from './accounts.service';
import { Actor } from '../kernel/actor';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { ActivationKindInput, AssignTokenInput, DetailsInput, HardwareTokenInput, NewAccountInput, RolesInput } from './identity.dto';
import { Role, ROLES_BY_ORGANISATION } from './permissions';
import { User, UserStatus } from './user.entity';
import { SchoolDataService } from '../organisations/school-data.service';
import { fieldErrorsOf, listOf, pageErrors, unflatten, validateAs } from '../web/forms';
import { nav } from '../web/nav';
import { PageContext, PageRenderer } from '../web/page-renderer';
import { sendActivationLetter } from './activation-letter';
import { PortalFilter } from '../web/portal.filter';
import { OrganisationType } from '../kernel/organisation-type';

const ROLE_LABELS: Record<Role, string> = {
  [Role.MELDER]: 'Melder: verzuim melden en meldingen van de school wijzigen',
  [Role.LEZER]: 'Lezer: meldingen inzien, niets wijzigen',
  [Role.BEHANDELAAR]: 'Behandelaar: meldingen behandelen, reageren, doorsturen en afsluiten',
  [Role.BEHEERDER]: 'Beheerder: gebruikers, tokens, API-sleutels en instellingen',
  [Role.OPERATOR]: 'Operator: organisaties en referentiegegevens',
};
const ROLE_SHORT: Record<Role, string> = {
  [Role.MELDER]: 'melder', [Role.LEZER]: 'lezer', [Role.BEHANDELAAR]: 'behandelaar', [Role.BEHEERDER]: 'beheerder', [Role.OPERATOR]: 'operator',
};
const LABELS: Record<string, string> = {
  username: 'Gebruikersnaam', name: 'Naam', email: 'E-mailadres', roles: 'Rollen', locationIds: 'Locaties', activation: 'Activering',
  serial: 'Serienummer', seed: 'Seed', tokenId: 'Hardwaretoken', algemeen: 'Let op',
};
/** What a beheerder just did, said on the account's page afterwards. */
const DONE: Record<string, string> = {
  aangemaakt: 'Het account is aangemaakt. De activeringslink is gemaild.',
  activering: 'Er is een nieuwe activeringslink gemaild; een eerdere link of brief werkt niet meer.',
  rollen: 'De rollen zijn opgeslagen. Lopende sessies van deze persoon zijn beëindigd.',
  gegevens: 'De naam en het e-mailadres zijn opgeslagen. Een gewijzigd adres kreeg bericht, net als het oude.',
  reset: 'Het token is gereset en er is een activeringslink gemaild om opnieuw te koppelen.',
  ingetrokken: 'Het token is ingetrokken. Aanmelden kan niet meer tot een reset.',
  hardware: 'Het hardwaretoken is gekoppeld. De persoon bevestigt het met een code bij de activering.',
  geblokkeerd: 'Het account is geblokkeerd en de sessies zijn beëindigd.',
  gedeblokkeerd: 'Het account is gedeblokkeerd.',
  sessies: 'De sessies van dit account zijn beëindigd.',
  uitgeschakeld: 'Het account is uitgeschakeld.',
  ingeschakeld: 'Het account is weer ingeschakeld.',
};

/** Beheer gebruikers: accounts, roles, activation (link or printable letter), tokens, lock, unlock, sessions, disable. */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller()
export class AccountsPagesController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly accounts: AccountsService,
    private readonly schoolData: SchoolDataService,
    private readonly config: AppConfig,
  ) {}

  @Get('beheer/gebruikers')
  @Allow(Permission.USER_MANAGE)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async list(@CurrentActor() actor: Actor, @Query('gedaan') done?: string): Promise<string> {
    return this.pages.render('identity/accounts', await this.listContext(actor, [], {}, done === 'token' ? 'Het hardwaretoken is geregistreerd.' : undefined));
  }

  @Post('beheer/gebruikers/tokens')
  @Allow(Permission.USER_MANAGE)
  async registerToken(@CurrentActor() actor: Actor, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const values = unflatten(form);
    const { input, errors } = await validateAs(HardwareTokenInput, values);
    let problems = errors;
    if (input) {
      try {
        await this.accounts.registerHardwareToken(actor, input.serial, input.seed);
        res.redirect(303, '/beheer/gebruikers?gedaan=token#tokens');
        return;
      } catch (error) {
        problems = fieldErrorsOf(error, { forbiddenOnPage: true });
      }
    }
    // The seed is a secret: never shown back, not even after an error.
    res.status(422).type('html').send(this.pages.render('identity/accounts', await this.listContext(actor, pageErrors(problems, LABELS), { serial: values.serial })));
  }

  @Get('beheer/gebruikers/nieuw')
  @Allow(Permission.USER_MANAGE)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async newAccount(@CurrentActor() actor: Actor): Promise<string> {
    return this.pages.render('identity/account-new', await this.newContext(actor, { activation: 'LINK' }, []));
  }

  @Post('beheer/gebruikers/nieuw')
  @Allow(Permission.USER_MANAGE)
  async create(@CurrentActor() actor: Actor, @Body() form: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const values = { ...unflatten(form), roles: listOf(form.roles), locationIds: listOf(form.locationIds) };
    const { input, errors } = await validateAs(NewAccountInput, values);
    let problems = errors;
    if (input) {
      try {
        const { user, activation } = await this.accounts.create(actor, input, input.activation ?? 'LINK');
        if (activation.kind === 'LETTER') this.letter(res, actor, user, activation);
        else res.redirect(303, `/beheer/gebruikers/${user.id}?gedaan=aangemaakt`);
        return;
      } catch (error) {
        problems = fieldErrorsOf(error, { field: 'roles', forbiddenOnPage: true });
      }
    }
    res.status(422).type('html').send(this.pages.render('identity/account-new', await this.newContext(actor, values, pageErrors(problems, LABELS))));
  }

  @Get('beheer/gebruikers/:id')
  @Allow(Permission.USER_MANAGE)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async show(@CurrentActor() actor: Actor, @Param('id') id: string, @Query('gedaan') done?: string): Promise<string> {
    const user = await this.accounts.get(actor.organisationId, id);
    return this.pages.render('identity/account', await this.accountContext(actor, user, [], DONE[done ?? '']));
  }

  @Post('beheer/gebruikers/:id/gegevens')
  @Allow(Permission.USER_MANAGE)
  async details(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() form: Record<string, unknown>, @Res() res: Response): Promise<void> {
    await this.act(actor, id, res, 'gegevens', async () => {
      const { input, errors } = await validateAs(DetailsInput, unflatten({ name: form.name, email: form.email }));
      if (!input) return errors;
      await this.accounts.correctDetails(actor, id, input);
    }, 'name', { name: form.name, email: form.email });
  }

  @Post('beheer/gebruikers/:id/rollen')
  @Allow(Permission.USER_MANAGE)
  async roles(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() form: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const values = { roles: listOf(form.roles), locationIds: listOf(form.locationIds) };
    await this.act(actor, id, res, 'rollen', async () => {
      const { input, errors } = await validateAs(RolesInput, values);
      if (!input) return errors;
      await this.accounts.changeRoles(actor, id, input.roles, input.locationIds);
    }, 'roles');
  }

  @Post('beheer/gebruikers/:id/activering')
  @Allow(Permission.USER_MANAGE)
  async activation(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    await this.act(actor, id, res, 'activering', async () => {
      const { input, errors } = await validateAs(ActivationKindInput, { activation: form.activation });
      if (!input) return errors;
      const { user, activation } = await this.accounts.reissueActivation(actor, id, input.activation ?? 'LINK');
      if (activation.kind === 'LETTER') return this.letter(res, actor, user, activation);
    });
  }

  @Post('beheer/gebruikers/:id/token/reset')
  @Allow(Permission.USER_MANAGE)
  async resetToken(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    await this.act(actor, id, res, 'reset', async () => {
      const { input, errors } = await validateAs(ActivationKindInput, { activation: form.activation });
      if (!input) return errors;
      const { user, activation } = await this.accounts.resetToken(actor, id, input.activation ?? 'LINK');
      if (activation.kind === 'LETTER') return this.letter(res, actor, user, activation);
    });
  }

  @Post('beheer/gebruikers/:id/token/hardware')
  @Allow(Permission.USER_MANAGE)
  async assignToken(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    await this.act(actor, id, res, 'hardware', async () => {
      const { input, errors } = await validateAs(AssignTokenInput, unflatten(form));
      if (!input) return errors;
      await this.accounts.assignHardwareToken(actor, id, input.tokenId);
    }, 'tokenId');
  }

  @Post('beheer/gebruikers/:id/token/intrekken')
  @Allow(Permission.USER_MANAGE)
  async revokeToken(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    await this.act(actor, id, res, 'ingetrokken', () => this.accounts.revokeToken(actor, id));
  }

  @Post('beheer/gebruikers/:id/blokkeren')
  @Allow(Permission.USER_MANAGE)
  async lock(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    await this.act(actor, id, res, 'geblokkeerd', () => this.accounts.lock(actor, id));
  }

  @Post('beheer/gebruikers/:id/deblokkeren')
  @Allow(Permission.USER_MANAGE)
  async unlock(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    await this.act(actor, id, res, 'gedeblokkeerd', () => this.accounts.unlock(actor, id));
  }

  @Post('beheer/gebruikers/:id/sessies')
  @Allow(Permission.USER_MANAGE)
  async endSessions(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    await this.act(actor, id, res, 'sessies', () => this.accounts.endSessions(actor, id));
  }

  @Post('beheer/gebruikers/:id/uitschakelen')
  @Allow(Permission.USER_MANAGE)
  async disable(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    await this.act(actor, id, res, 'uitgeschakeld', () => this.accounts.setDisabled(actor, id, true));
  }

  @Post('beheer/gebruikers/:id/inschakelen')
  @Allow(Permission.USER_MANAGE)
  async enable(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    await this.act(actor, id, res, 'ingeschakeld', () => this.accounts.setDisabled(actor, id, false));
  }

  /**
   * One action on an account: `perform` returns field errors, or nothing when done (or after answering itself, as the
   * letter does). Done: back to the account with a notice. Refused: the account's page with the reason, 422.
   */
  private async act(
    actor: Actor, id: string, res: Response, done: keyof typeof DONE, perform: () => Promise<FieldError[] | unknown>, field = 'algemeen', typed: Record<string, unknown> = {},
  ): Promise<void> {
    const user = await this.accounts.get(actor.organisationId, id);
    let problems: FieldError[];
    try {
      const result = await perform();
      if (res.headersSent) return;
      if (!Array.isArray(result) || result.length === 0) {
        res.redirect(303, `/beheer/gebruikers/${user.id}?gedaan=${done}`);
        return;
      }
      problems = result as FieldError[];
    } catch (error) {
      problems = fieldErrorsOf(error, { field, forbiddenOnPage: true });
    }
    const current = await this.accounts.get(actor.organisationId, id);
    const context = await this.accountContext(actor, current, pageErrors(problems, LABELS));
    res.status(422).type('html').send(this.pages.render('identity/account', { ...context, values: { ...(context.values as object), ...typed } }));
  }

  private letter(res: Response, actor: Actor, user: User, activation: Activation): void {
    sendActivationLetter(res, this.pages, {
      nav: nav(actor, 'beheer'), back: { href: `/beheer/gebruikers/${user.id}`, label: 'Terug naar het account' },
      user, organisation: user.organisation?.name ?? actor.organisationCode, appointed: false, activation, publicUrl: this.config.PUBLIC_URL,
    });
  }

  private async listContext(actor: Actor, errors: FieldError[], values: Record<string, unknown>, notice?: string): Promise<PageContext> {
    const [users, tokens] = await Promise.all([this.accounts.list(actor.organisationId), this.accounts.listHardwareTokens(actor.organisationId)]);
    const byId = new Map(users.map((u) => [u.id, u]));
    return {
      title: 'Gebruikers', nav: nav(actor, 'beheer'), errors, values, notice,
      users: users.map((u) => ({
        id: u.id, name: u.name, username: u.username, roles: u.roles.map((r) => ROLE_SHORT[r as Role] ?? r).join(', '),
        status: statusOf(u), lastSignIn: u.lastSignInAt ? nlDateTime(u.lastSignInAt) : 'nog nooit',
      })),
      tokens: tokens.map((t) => ({
        serial: t.serial, holder: t.userId ? byId.get(t.userId)?.name ?? '' : null, revoked: t.revokedAt !== null, registered: nlDateTime(t.createdAt),
      })),
    };
  }

  private async newContext(actor: Actor, values: Record<string, unknown>, errors: FieldError[]): Promise<PageContext> {
    return {
      title: 'Nieuw account', nav: nav(actor, 'beheer'), errors, values,
      roleOptions: this.roleOptions(actor, listOf(values.roles)),
      locationOptions: await this.locationOptions(actor, listOf(values.locationIds)),
      activations: [
        { value: 'LINK', label: 'Link per e-mail naar de persoon (aanbevolen)' },
        { value: 'LETTER', label: 'Brief met een activeringscode, om af te drukken en te overhandigen' },
      ],
    };
  }

  private async accountContext(actor: Actor, user: User, errors: FieldError[], notice?: string): Promise<PageContext> {
    const tokens = (await this.accounts.listHardwareTokens(actor.organisationId)).filter((t) => !t.revokedAt && (!t.userId || t.userId === user.id));
    const locationOptions = await this.locationOptions(actor, user.locationIds);
    const limitedTo = locationOptions.filter((l) => l.checked).map((l) => l.label);
    return {
      title: `Account ${user.name}`, nav: nav(actor, 'beheer'), errors, notice,
      user: {
        id: user.id, name: user.name, username: user.username, email: user.email, status: statusOf(user),
        roles: user.roles.map((r) => ROLE_SHORT[r as Role] ?? r).join(', '),
        token: user.tokenKind === 'APP' ? 'Authenticator-app' : user.tokenKind === 'HARDWARE' || user.hardwareTokenId ? 'Hardwaretoken' : 'Geen (koppelt bij activering)',
        lastSignIn: user.lastSignInAt ? nlDateTime(user.lastSignInAt) : 'nog nooit',
        activationExpires: user.activationExpiresAt ? nlDateTime(user.activationExpiresAt) : null,
        locked: user.lockedAt !== null || (user.throttledUntil !== null && user.throttledUntil.getTime() > Date.now()),
        disabled: user.status === UserStatus.DISABLED, pending: user.status === UserStatus.PENDING, self: user.id === actor.id,
      },
      roleOptions: this.roleOptions(actor, user.roles),
      locationOptions,
      // The limit applies to every role: the person sees, files and changes only reports of these locations.
      locations: actor.organisationType !== OrganisationType.SCHOOL ? null : limitedTo.length > 0 ? `Alleen ${limitedTo.join(', ')}` : 'Alle locaties van de school',
      hardwareTokens: tokens.map((t) => ({ value: t.id, label: t.serial })),
      activations: [
        { value: 'LINK', label: 'Link per e-mail' },
        { value: 'LETTER', label: 'Brief met code om af te drukken' },
      ],
      values: { activation: 'LINK', tokenId: user.hardwareTokenId ?? '', name: user.name, email: user.email },
    };
  }

  /** The roles of this kind of organisation; a beheerder hands out only roles they have themselves. */
  private roleOptions(actor: Actor, checked: readonly string[]) {
    return ROLES_BY_ORGANISATION[actor.organisationType].map((r) => ({ value: r, label: ROLE_LABELS[r], checked: checked.includes(r) }));
  }

  private async locationOptions(actor: Actor, checked: readonly string[]) {
    if (actor.organisationType !== OrganisationType.SCHOOL) return [];
    return (await this.schoolData.listLocations(actor.organisationId))
      .filter((l) => l.active || checked.includes(l.id))
      .map((l) => ({ value: l.id, label: `${l.name} (${actor.organisationCode}${l.code})`, checked: checked.includes(l.id) }));
  }
}

function statusOf(u: User): string {
  if (u.status === UserStatus.DISABLED) return 'Uitgeschakeld';
  if (u.lockedAt) return 'Geblokkeerd';
  if (u.throttledUntil && u.throttledUntil.getTime() > Date.now()) return 'Moet wachten na mislukte pogingen';
  if (u.status === UserStatus.PENDING) return u.activationExpiresAt && u.activationExpiresAt.getTime() > Date.now() ? 'Wacht op activering' : 'Activering verlopen';
  return 'Actief';
}
