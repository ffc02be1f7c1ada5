import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/api-problems.decorator';
import { Actor } from '../kernel/actor';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { NotificationAdminService } from './notification-admin.service';
import { FailedMailPage, FailedMailQuery, MailboxInput, MailboxView, PreferenceInput, PreferenceView } from './notifications.dto';

/** Notification settings (the organisation's mailbox, a person's choice) and failed e-mails to look at and send again. */
@ApiTags('Meldingsberichten (e-mail)')
@ApiBearerAuth()
@Controller('api/v1/notifications')
export class NotificationsApiController {
  constructor(private readonly admin: NotificationAdminService) {}

  @Get('mailbox')
  @Allow(Permission.NOTIFICATION_MANAGE)
  @ApiOperation({ summary: 'Het algemene e-mailadres van de eigen organisatie' })
  @ApiOkResponse({ type: MailboxView })
  @ApiProblems(401, 403)
  async mailbox(@CurrentActor() actor: Actor): Promise<MailboxView> {
    return { mailbox: await this.admin.mailbox(actor.organisationId) };
  }

  @Put('mailbox')
  @Allow(Permission.NOTIFICATION_MANAGE)
  @ApiOperation({ summary: 'Het algemene e-mailadres vastleggen (null: geen); het krijgt de berichten voor de organisatie' })
  @ApiOkResponse({ type: MailboxView })
  @ApiProblems(400, 401, 403, 422)
  async setMailbox(@CurrentActor() actor: Actor, @Body() input: MailboxInput): Promise<MailboxView> {
    await this.admin.setMailbox(actor, input.mailbox);
    return { mailbox: await this.admin.mailbox(actor.organisationId) };
  }

  @Get('preference')
  @Allow(Permission.NOTIFICATION_SELF)
  @ApiOperation({ summary: 'Mijn keuze: elke wijziging meteen, één overzicht per dag, of geen e-mail' })
  @ApiOkResponse({ type: PreferenceView })
  @ApiProblems(401, 403)
  async preference(@CurrentActor() actor: Actor): Promise<PreferenceView> {
    return { frequency: await this.admin.frequency(actor.id) };
  }

  @Put('preference')
  @Allow(Permission.NOTIFICATION_SELF)
  @ApiOperation({ summary: 'Mijn keuze vastleggen' })
  @ApiOkResponse({ type: PreferenceView })
  @ApiProblems(400, 401, 403, 422)
  async setPreference(@CurrentActor() actor: Actor, @Body() input: PreferenceInput): Promise<PreferenceView> {
    return this.changeFrequency(actor, actor.id, input);
  }

  @Put('preferences/:id')
  @Allow(Permission.NOTIFICATION_MANAGE)
  @ApiOperation({ summary: 'De keuze van een persoon van de eigen organisatie vastleggen' })
  @ApiOkResponse({ type: PreferenceView })
  @ApiProblems(400, 401, 403, 404, 422)
  async setPreferenceOf(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() input: PreferenceInput): Promise<PreferenceView> {
    return this.changeFrequency(actor, id, input);
  }

  @Get('failed')
  @Allow(Permission.NOTIFICATION_MANAGE)
  @ApiOperation({ summary: 'Mislukte e-mails (na de laatste poging of geweigerd), nieuwste eerst; de operator ziet die van alle organisaties' })
  @ApiOkResponse({ type: FailedMailPage })
  @ApiProblems(401, 403, 422)
  async failed(@CurrentActor() actor: Actor, @Query() q: FailedMailQuery): Promise<FailedMailPage> {
    return this.admin.failed(actor, q.limit, q.offset);
  }

  @Post('failed/:id/resend')
  @HttpCode(202)
  @Allow(Permission.NOTIFICATION_MANAGE)
  @ApiOperation({ summary: 'Een mislukte e-mail opnieuw versturen (zelfde Message-ID); hij gaat mee met de volgende ronde' })
  @ApiAcceptedResponse({ description: 'Weer in de wachtrij' })
  @ApiProblems(401, 403, 404, 409)
  async resend(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<void> {
    await this.admin.resend(actor, id);
  }

  private async changeFrequency(actor: Actor, userId: string, input: PreferenceInput): Promise<PreferenceView> {
    await this.admin.setFrequency(actor, userId, input.frequency);
    return { frequency: input.frequency };
  }
}
