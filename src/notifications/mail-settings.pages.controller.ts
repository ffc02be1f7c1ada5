import { Body, Controller, Get, Header, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { nlDateTime } from '../common/dates';
import { ErrorCode, FieldError, ProblemError } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { AccountsService } from '../identity/accounts.service';
import { MailFrequency } from '../identity/user.entity';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { Actor } from '../kernel/actor';
import { OrganisationType } from '../kernel/organisation-type';
import { OrganisationsService } from '../organisations/organisations.service';
import { flatten, pageErrors, unflatten, validateAs } from '../web/forms';
import { nav } from '../web/nav';
import { PageContext, PageRenderer } from '../web/page-renderer';
import { PortalFilter } from '../web/portal.filter';
import { NotificationAdminService } from './notification-admin.service';
import { FailedMailQuery, MailboxInput, PreferenceInput } from './notifications.dto';
import { MailTemplate } from './outbox-message.entity';

const TEMPLATE_LABELS: Record<MailTemplate, string> = {
  [MailTemplate.REPORT_EVENT]: 'Bericht over een melding', [MailTemplate.DIGEST]: 'Dagelijks overzicht', [MailTemplate.ACTIVATION]: 'Activeringslink',
  [MailTemplate.WEBHOOK_DISABLED]: 'Webhook uitgezet', [MailTemplate.ADDRESS_CHANGED]: 'E-mailadres gewijzigd',
};

const MAILBOX_LABELS: Record<string, string> = { mailbox: 'Algemeen e-mailadres' };
const PREFERENCE_LABELS: Record<string, string> = { frequency: 'Hoe wilt u e-mail over meldingen krijgen?' };
const DONE_MAIL: Record<string, string> = {
  adres: 'Het algemene e-mailadres is opgeslagen.',
  'adres-leeg': 'Het algemene e-mailadres is verwijderd. Berichten gaan nu alleen naar de personen zelf.',
  opnieuw: 'De e-mail staat weer klaar om verstuurd te worden en gaat mee met de volgende verzendronde.',
  'al-verstuurd': 'Deze e-mail stond niet meer bij de mislukte e-mails: hij is al verstuurd of wacht op verzending.',
};
const DONE_SELF: Record<string, string> = { opgeslagen: 'Uw keuze is opgeslagen.' };

/** The organisation's e-mail (its general mailbox and the e-mails that could not be delivered), and a person's own choice. */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller()
export class MailSettingsPagesController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly organisations: OrganisationsService,
    private readonly accounts: AccountsService,
    private readonly notifications: NotificationAdminService,
    private readonly config: AppConfig,
  ) {}

  // The organisation's e-mail: its general mailbox and the e-mails that could not be delivered

  @Get('beheer/e-mail')
  @Allow(Permission.NOTIFICATION_MANAGE)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async mail(@CurrentActor() actor: Actor, @Query('gedaan') done: string | undefined, @Query('offset') offset: string | undefined): Promise<string> {
    const mailbox = await this.notifications.mailbox(actor.organisationId);
    return this.pages.render('notifications/mail-settings', await this.mailContext(actor, { mailbox }, [], DONE_MAIL[done ?? ''], offset));
  }

  /** Saves the general mailbox; an empty field removes it, as the "verwijderen" button does. */
  @Post('beheer/e-mail')
  @Allow(Permission.NOTIFICATION_MANAGE)
  async setMailbox(@CurrentActor() actor: Actor, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const values = unflatten({ mailbox: form.mailbox });
    const { input, errors } = await validateAs(MailboxInput, { mailbox: values.mailbox ?? null });
    if (!input) {
      res.status(422).type('html').send(this.pages.render('notifications/mail-settings', await this.mailContext(actor, flatten(values), pageErrors(errors, MAILBOX_LABELS))));
      return;
    }
    await this.saveMailbox(actor, input.mailbox);
    res.redirect(303, `/beheer/e-mail?gedaan=${input.mailbox === null ? 'adres-leeg' : 'adres'}`);
  }

  @Post('beheer/e-mail/verwijderen')
  @Allow(Permission.NOTIFICATION_MANAGE)
  async clearMailbox(@CurrentActor() actor: Actor, @Res() res: Response): Promise<void> {
    await this.saveMailbox(actor, null);
    res.redirect(303, '/beheer/e-mail?gedaan=adres-leeg');
  }

  /** Another organisation's e-mail (for anyone but the operator) is "not found", as in the API. */
  @Post('beheer/e-mail/mislukt/:id/opnieuw')
  @Allow(Permission.NOTIFICATION_MANAGE)
  async resend(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    try {
      await this.notifications.resend(actor, id);
      res.redirect(303, '/beheer/e-mail?gedaan=opnieuw');
    } catch (error) {
      if (!(error instanceof ProblemError) || error.code !== ErrorCode.CONFLICT) throw error;
      res.redirect(303, '/beheer/e-mail?gedaan=al-verstuurd');
    }
  }

  private async saveMailbox(actor: Actor, mailbox: string | null): Promise<void> {
    await this.notifications.setMailbox(actor, mailbox);
  }

  private async mailContext(actor: Actor, values: Record<string, unknown>, errors: FieldError[], notice?: string, offsetParam?: string): Promise<PageContext> {
    const { input } = await validateAs(FailedMailQuery, offsetParam ? { offset: offsetParam } : {});
    const limit = 50;
    const offset = input?.offset ?? 0;
    const page = await this.notifications.failed(actor, limit, offset);
    const everyone = actor.organisationType === OrganisationType.OPERATOR;
    const names = new Map<string, string>();
    if (everyone) {
      for (const code of new Set(page.items.map((i) => i.organisation))) names.set(code, (await this.organisations.findByCode(code))?.name ?? code);
    }
    return {
      title: 'E-mail', nav: nav(actor, 'beheer'), values, errors, notice, everyone,
      mailbox: await this.notifications.mailbox(actor.organisationId),
      failed: page.items.map((i) => ({
        id: i.id, recipient: i.recipient, organisation: names.get(i.organisation) ?? i.organisation, kind: TEMPLATE_LABELS[i.template] ?? i.template,
        reportNumber: i.reportNumber, subject: i.subject, attempts: i.attempts, lastError: i.lastError ?? 'Geen antwoord ontvangen', createdAt: nlDateTime(i.createdAt),
      })),
      total: page.total,
      shown: page.items.length ? `${offset + 1} tot en met ${offset + page.items.length} van ${page.total}` : null,
      previous: offset > 0 ? `/beheer/e-mail?offset=${Math.max(0, offset - limit)}` : null,
      next: offset + limit < page.total ? `/beheer/e-mail?offset=${offset + limit}` : null,
    };
  }

  // A person's own choice

  @Get('instellingen')
  @Allow(Permission.NOTIFICATION_SELF)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async mySettings(@CurrentActor() actor: Actor, @Query('gedaan') done: string | undefined): Promise<string> {
    const frequency = await this.notifications.frequency(actor.id);
    return this.pages.render('notifications/my-settings', await this.mySettingsContext(actor, { frequency }, [], DONE_SELF[done ?? '']));
  }

  @Post('instellingen')
  @Allow(Permission.NOTIFICATION_SELF)
  async saveMySettings(@CurrentActor() actor: Actor, @Body() form: Record<string, string>, @Res() res: Response): Promise<void> {
    const values = unflatten({ frequency: form.frequency });
    const { input, errors } = await validateAs(PreferenceInput, values);
    if (!input) {
      res.status(422).type('html').send(this.pages.render('notifications/my-settings', await this.mySettingsContext(actor, values, pageErrors(errors, PREFERENCE_LABELS))));
      return;
    }
    await this.notifications.setFrequency(actor, actor.id, input.frequency);
    res.redirect(303, '/instellingen?gedaan=opgeslagen');
  }

  private async mySettingsContext(actor: Actor, values: Record<string, unknown>, errors: FieldError[], notice?: string): Promise<PageContext> {
    const user = await this.accounts.get(actor.organisationId, actor.id);
    return {
      title: 'Mijn e-mail', nav: nav(actor, 'instellingen'), values, errors, notice, email: user.email,
      frequencies: [
        { value: MailFrequency.IMMEDIATE, label: 'Bij elke wijziging meteen een e-mail' },
        { value: MailFrequency.DAILY, label: `Eén overzicht per dag (rond ${this.config.MAIL_DIGEST_TIME} uur)` },
        { value: MailFrequency.OFF, label: 'Geen e-mail' },
      ],
    };
  }
}
