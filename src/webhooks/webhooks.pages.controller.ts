import { Body, Controller, Get, Header, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { nlDateTime } from '../common/dates';
import { FieldError } from '../common/problem';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { Actor } from '../kernel/actor';
import { fieldErrorsOf, listOf, pageErrors, validateAs } from '../web/forms';
import { nav } from '../web/nav';
import { PageContext, PageRenderer } from '../web/page-renderer';
import { PortalFilter } from '../web/portal.filter';
import { DeliveryStatus } from './webhook-delivery.entity';
import { DisabledReason, EndpointStatus, WebhookEndpoint } from './webhook-endpoint.entity';
import { EVENT_TYPES, eventTypeLabel } from './webhook-event-types';
import { ChangeWebhookInput, DeliveryQuery, NewWebhookInput } from './webhooks.dto';
import { hostOf, WebhooksService } from './webhooks.service';

const LABELS: Record<string, string> = { url: 'Adres (URL)', description: 'Omschrijving', eventTypes: 'Soorten wijzigingen', algemeen: 'Webhook' };
const DONE: Record<string, string> = {
  verwijderd: 'Het endpoint is verwijderd.',
  gewijzigd: 'De wijzigingen zijn opgeslagen.',
  test: 'Het testbericht staat klaar en wordt zo verstuurd. Ververs de pagina om het resultaat te zien.',
  opnieuw: 'De gebeurtenis wordt opnieuw bezorgd, met dezelfde webhook-id.',
  aan: 'Het endpoint staat weer aan; wat nog wachtte wordt nu verstuurd.',
  uit: 'Het endpoint staat uit: er wordt niets meer naartoe gestuurd.',
};
const STATUS_LABELS: Record<DeliveryStatus, string> = { PENDING: 'Wacht', DELIVERED: 'Bezorgd', FAILED: 'Mislukt' };
const REASONS: Record<DisabledReason, string> = {
  GONE: 'het systeem antwoordde 410 Gone (bestaat niet meer)',
  FAILING: 'de bezorging mislukte te lang achter elkaar',
  BEHEERDER: 'uitgezet door een beheerder',
};

/** Beheer webhooks: the organisation's endpoints, each with its delivery log, on the same service as the API. */
@ApiExcludeController()
@UseFilters(PortalFilter)
@Controller()
export class WebhooksPagesController {
  constructor(
    private readonly pages: PageRenderer,
    private readonly webhooks: WebhooksService,
  ) {}

  @Get('beheer/webhooks')
  @Allow(Permission.WEBHOOK_MANAGE)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async list(@CurrentActor() actor: Actor, @Query('gedaan') done: string | undefined): Promise<string> {
    return this.pages.render('webhooks/webhooks', await this.listContext(actor, { eventTypes: [...EVENT_TYPES] }, [], DONE[done ?? '']));
  }

  /** Registers an endpoint and shows its secret on this response only (not in an address, not cached). */
  @Post('beheer/webhooks')
  @Allow(Permission.WEBHOOK_MANAGE)
  @Header('Cache-Control', 'no-store')
  async create(@CurrentActor() actor: Actor, @Body() form: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const values = { url: text(form.url), description: text(form.description), eventTypes: listOf(form.eventTypes) };
    const { input, errors } = await validateAs(NewWebhookInput, values);
    let problems = this.withAddress(errors, values.url);
    if (input) {
      try {
        const { endpoint, secret } = await this.webhooks.create(actor, input);
        res.status(201).type('html').send(this.pages.render('webhooks/webhook', { ...(await this.detailContext(actor, endpoint, {})), issued: { secret }, notice: 'Het endpoint is geregistreerd.' }));
        return;
      } catch (error) {
        problems = fieldErrorsOf(error, { field: 'url' });
      }
    }
    res.status(422).type('html').send(this.pages.render('webhooks/webhooks', await this.listContext(actor, values, pageErrors(problems, LABELS))));
  }

  @Get('beheer/webhooks/:id')
  @Allow(Permission.WEBHOOK_MANAGE)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async detail(@CurrentActor() actor: Actor, @Param('id') id: string, @Query() query: Record<string, unknown>): Promise<string> {
    const endpoint = await this.webhooks.get(actor, id);
    return this.pages.render('webhooks/webhook', { ...(await this.detailContext(actor, endpoint, query)), notice: DONE[text(query.gedaan)] });
  }

  @Post('beheer/webhooks/:id')
  @Allow(Permission.WEBHOOK_MANAGE)
  async change(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() form: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const values = { url: text(form.url), description: text(form.description), eventTypes: listOf(form.eventTypes) };
    const { input, errors } = await validateAs(ChangeWebhookInput, values);
    let problems = this.withAddress(errors, values.url);
    if (input) {
      try {
        await this.webhooks.change(actor, id, input);
        return res.redirect(303, `/beheer/webhooks/${id}?gedaan=gewijzigd`);
      } catch (error) {
        problems = fieldErrorsOf(error, { field: 'url' });
      }
    }
    const endpoint = await this.webhooks.get(actor, id);
    res.status(422).type('html').send(this.pages.render('webhooks/webhook', { ...(await this.detailContext(actor, endpoint, {})), values, errors: pageErrors(problems, LABELS) }));
  }

  @Post('beheer/webhooks/:id/geheim')
  @Allow(Permission.WEBHOOK_MANAGE)
  @Header('Cache-Control', 'no-store')
  async rotate(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() form: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const overlap = text(form.overlapHours) === '0' ? 0 : 24;
    const { endpoint, secret } = await this.webhooks.rotateSecret(actor, id, overlap);
    const notice = overlap ? 'Er is een nieuw geheim. Het vorige ondertekent nog 24 uur mee, zodat u uw systeem rustig kunt omzetten.' : 'Er is een nieuw geheim; het vorige werkt niet meer.';
    res.status(200).type('html').send(this.pages.render('webhooks/webhook', { ...(await this.detailContext(actor, endpoint, {})), issued: { secret }, notice }));
  }

  @Post('beheer/webhooks/:id/test')
  @Allow(Permission.WEBHOOK_MANAGE)
  async test(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    await this.act(actor, id, res, 'test', () => this.webhooks.sendTest(actor, id));
  }

  @Post('beheer/webhooks/:id/aanzetten')
  @Allow(Permission.WEBHOOK_MANAGE)
  async enable(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    await this.act(actor, id, res, 'aan', () => this.webhooks.change(actor, id, { enabled: true }));
  }

  @Post('beheer/webhooks/:id/uitzetten')
  @Allow(Permission.WEBHOOK_MANAGE)
  async disable(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    await this.act(actor, id, res, 'uit', () => this.webhooks.change(actor, id, { enabled: false }));
  }

  @Post('beheer/webhooks/:id/verwijderen')
  @Allow(Permission.WEBHOOK_MANAGE)
  async remove(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    await this.webhooks.remove(actor, id);
    res.redirect(303, '/beheer/webhooks?gedaan=verwijderd');
  }

  @Post('beheer/webhooks/:id/bezorgingen/:deliveryId/opnieuw')
  @Allow(Permission.WEBHOOK_MANAGE)
  async redeliver(@CurrentActor() actor: Actor, @Param('id') id: string, @Param('deliveryId') deliveryId: string, @Res() res: Response): Promise<void> {
    await this.act(actor, id, res, 'opnieuw', () => this.webhooks.redeliver(actor, id, deliveryId));
  }

  /** The form's errors, with the address's own problem too when the rest already failed (so that all show at once). */
  private withAddress(errors: FieldError[], url: string): FieldError[] {
    const address = errors.length > 0 && !errors.some((e) => e.field === 'url') ? this.webhooks.addressProblem(url) : null;
    return address ? [address, ...errors] : errors;
  }

  /** Runs an action; done: back to the endpoint with a notice; refused (409): the endpoint with the reason. */
  private async act(actor: Actor, id: string, res: Response, done: string, action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
      return res.redirect(303, `/beheer/webhooks/${id}?gedaan=${done}`);
    } catch (error) {
      const errors = pageErrors(fieldErrorsOf(error), LABELS);
      const endpoint = await this.webhooks.get(actor, id);
      res.status(409).type('html').send(this.pages.render('webhooks/webhook', { ...(await this.detailContext(actor, endpoint, {})), errors }));
    }
  }

  private async listContext(actor: Actor, values: { eventTypes: string[] } & Record<string, unknown>, errors: FieldError[], notice?: string): Promise<PageContext> {
    const endpoints = await this.webhooks.list(actor);
    return {
      title: 'Webhooks', nav: nav(actor, 'beheer'), values, errors, notice,
      typeOptions: typeOptions(values.eventTypes),
      endpoints: endpoints.map((e) => ({
        id: e.id, host: hostOf(e.url), url: e.url, description: e.description, active: e.status === EndpointStatus.ACTIVE,
        reason: e.disabledReason ? REASONS[e.disabledReason] : null, types: e.eventTypes.length, failingSince: e.failingSince ? nlDateTime(e.failingSince) : null,
      })),
    };
  }

  private async detailContext(actor: Actor, e: WebhookEndpoint, query: Record<string, unknown>): Promise<PageContext> {
    const status = Object.values(DeliveryStatus).includes(text(query.status) as DeliveryStatus) ? (text(query.status) as DeliveryStatus) : undefined;
    const { input } = await validateAs(DeliveryQuery, { ...(status ? { status } : {}), ...(/^[1-9]\d{0,17}$/.test(text(query.na)) ? { after: text(query.na) } : {}) });
    const page = await this.webhooks.deliveries(actor, e.id, input ?? {});
    const counts = await this.webhooks.counts(actor, e.id);
    const filter = status ? `&status=${status}` : '';
    return {
      title: `Webhook ${hostOf(e.url)}`, nav: nav(actor, 'beheer'), errors: [],
      values: { url: e.url, description: e.description },
      endpoint: {
        id: e.id, url: e.url, host: hostOf(e.url), description: e.description, active: e.status === EndpointStatus.ACTIVE,
        reason: e.disabledReason ? REASONS[e.disabledReason] : null, disabledAt: e.disabledAt ? nlDateTime(e.disabledAt) : null,
        failingSince: e.failingSince ? nlDateTime(e.failingSince) : null, createdAt: nlDateTime(e.createdAt),
        previousSecretUntil: e.previousSecretExpiresAt && e.previousSecretExpiresAt.getTime() > Date.now() ? nlDateTime(e.previousSecretExpiresAt) : null,
        types: e.eventTypes.map(eventTypeLabel).join(', '),
      },
      typeOptions: typeOptions(e.eventTypes),
      counts,
      statusFilters: [{ value: '', label: 'Alle', current: !status }, ...Object.values(DeliveryStatus).map((s) => ({ value: s, label: STATUS_LABELS[s], current: s === status }))],
      deliveries: page.items.map((d) => ({
        ...d, typeLabel: eventTypeLabel(d.type), statusLabel: STATUS_LABELS[d.status], pending: d.status === DeliveryStatus.PENDING,
        lastAttemptAt: d.lastAttemptAt ? nlDateTime(d.lastAttemptAt) : null, createdAt: nlDateTime(d.createdAt),
      })),
      next: page.nextCursor ? `/beheer/webhooks/${e.id}?na=${page.nextCursor}${filter}` : null,
    };
  }
}

function typeOptions(chosen: readonly string[]) {
  return EVENT_TYPES.map((type) => ({ value: type, label: `${eventTypeLabel(type)} (${type})`, checked: chosen.includes(type) }));
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}
