import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/api-problems.decorator';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { Actor } from '../kernel/actor';
import {
  ChangeWebhookInput, DeliveryPage, DeliveryQuery, DeliveryView, IssuedWebhookView, NewWebhookInput, RotateSecretInput, WebhookView,
} from './webhooks.dto';
import { WebhooksService } from './webhooks.service';

/**
 * The beheerder's webhook endpoints: every change the organisation may see, pushed as a signed CloudEvent (Standard
 * Webhooks) instead of polled from /changes. People only: a machine key cannot redirect the organisation's events.
 */
@ApiTags('Webhooks')
@ApiBearerAuth()
@Controller('api/v1/webhooks')
export class WebhooksApiController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  @Allow(Permission.WEBHOOK_MANAGE)
  @ApiOperation({ summary: 'De webhook-endpoints van de eigen organisatie (zonder geheim)' })
  @ApiOkResponse({ type: [WebhookView] })
  @ApiProblems(401, 403)
  async list(@CurrentActor() actor: Actor): Promise<WebhookView[]> {
    return (await this.webhooks.list(actor)).map(WebhookView.of);
  }

  @Post()
  @Allow(Permission.WEBHOOK_MANAGE)
  @ApiOperation({ summary: 'Een endpoint registreren; het geheim (whsec_…) staat alleen in dit antwoord' })
  @ApiCreatedResponse({ type: IssuedWebhookView })
  @ApiProblems(400, 401, 403, 422)
  async create(@CurrentActor() actor: Actor, @Body() input: NewWebhookInput): Promise<IssuedWebhookView> {
    const { endpoint, secret } = await this.webhooks.create(actor, input);
    return { endpoint: WebhookView.of(endpoint), secret };
  }

  @Get(':id')
  @Allow(Permission.WEBHOOK_MANAGE)
  @ApiOperation({ summary: 'Eén endpoint' })
  @ApiOkResponse({ type: WebhookView })
  @ApiProblems(401, 403, 404)
  async get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<WebhookView> {
    return WebhookView.of(await this.webhooks.get(actor, id));
  }

  @Patch(':id')
  @Allow(Permission.WEBHOOK_MANAGE)
  @ApiOperation({ summary: 'Adres, omschrijving of soorten wijzigen, of het endpoint uit- of weer aanzetten' })
  @ApiOkResponse({ type: WebhookView })
  @ApiProblems(400, 401, 403, 404, 422)
  async change(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() input: ChangeWebhookInput): Promise<WebhookView> {
    return WebhookView.of(await this.webhooks.change(actor, id, input));
  }

  @Delete(':id')
  @HttpCode(204)
  @Allow(Permission.WEBHOOK_MANAGE)
  @ApiOperation({ summary: 'Een endpoint verwijderen, met zijn bezorglog' })
  @ApiNoContentResponse({ description: 'Verwijderd' })
  @ApiProblems(401, 403, 404)
  async remove(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<void> {
    await this.webhooks.remove(actor, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @Allow(Permission.WEBHOOK_MANAGE)
  @ApiOperation({ summary: 'Een nieuw geheim (eenmalig in dit antwoord); het vorige ondertekent nog overlapHours mee' })
  @ApiOkResponse({ type: IssuedWebhookView })
  @ApiProblems(400, 401, 403, 404, 422)
  async rotateSecret(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() input: RotateSecretInput): Promise<IssuedWebhookView> {
    const { endpoint, secret } = await this.webhooks.rotateSecret(actor, id, input.overlapHours ?? 24);
    return { endpoint: WebhookView.of(endpoint), secret };
  }

  @Post(':id/test')
  @HttpCode(202)
  @Allow(Permission.WEBHOOK_MANAGE)
  @ApiOperation({ summary: 'Een testbericht (nl.verzuimloket.webhook.test) naar dit endpoint sturen' })
  @ApiAcceptedResponse({ type: DeliveryView })
  @ApiProblems(401, 403, 404, 409)
  async test(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<DeliveryView> {
    return this.webhooks.sendTest(actor, id);
  }

  @Get(':id/deliveries')
  @Allow(Permission.WEBHOOK_MANAGE)
  @ApiOperation({ summary: 'Het bezorglog van een endpoint: status, pogingen, laatste antwoord en duur, nieuwste eerst' })
  @ApiOkResponse({ type: DeliveryPage })
  @ApiProblems(401, 403, 404, 422)
  async deliveries(@CurrentActor() actor: Actor, @Param('id') id: string, @Query() q: DeliveryQuery): Promise<DeliveryPage> {
    return this.webhooks.deliveries(actor, id, q);
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(202)
  @Allow(Permission.WEBHOOK_MANAGE)
  @ApiOperation({ summary: 'Eén gebeurtenis opnieuw bezorgen, met dezelfde webhook-id, na wat al wacht' })
  @ApiAcceptedResponse({ type: DeliveryView })
  @ApiProblems(401, 403, 404, 409)
  async redeliver(@CurrentActor() actor: Actor, @Param('id') id: string, @Param('deliveryId') deliveryId: string): Promise<DeliveryView> {
    return this.webhooks.redeliver(actor, id, deliveryId);
  }
}
