import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/api-problems.decorator';
import { AccountsService } from './accounts.service';
import { Actor } from '../kernel/actor';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import {
  AccountView, ActivationKindInput, AppointInput, AssignTokenInput, CreatedAccountView, EndedSessionsView, HardwareTokenInput, HardwareTokenView, NewAccountInput,
  RolesInput,
} from './identity.dto';

/** Beheer gebruikers: the beheerder's work on the accounts of their own organisation. */
@ApiTags('Beheer gebruikers')
@ApiBearerAuth()
@Controller('api/v1')
export class AccountsApiController {
  constructor(private readonly accounts: AccountsService) {}

  @Get('users')
  @Allow(Permission.USER_MANAGE)
  @ApiOperation({ summary: 'De accounts van de eigen organisatie' })
  @ApiOkResponse({ type: [AccountView] })
  @ApiProblems(401, 403)
  async list(@CurrentActor() actor: Actor): Promise<AccountView[]> {
    return (await this.accounts.list(actor.organisationId)).map(AccountView.of);
  }

  @Post('users')
  @Allow(Permission.USER_MANAGE)
  @ApiOperation({ summary: 'Een account aanmaken met rollen; geeft de eenmalige activering (link of briefcode)' })
  @ApiCreatedResponse({ type: CreatedAccountView })
  @ApiProblems(400, 401, 403, 422)
  async create(@CurrentActor() actor: Actor, @Body() input: NewAccountInput): Promise<CreatedAccountView> {
    const { user, activation } = await this.accounts.create(actor, input, input.activation ?? 'LINK');
    return { account: AccountView.of(user), activation };
  }

  @Get('users/:id')
  @Allow(Permission.USER_MANAGE)
  @ApiOperation({ summary: 'Eén account' })
  @ApiOkResponse({ type: AccountView })
  @ApiProblems(401, 403, 404)
  async get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<AccountView> {
    return AccountView.of(await this.accounts.get(actor.organisationId, id));
  }

  @Put('users/:id/roles')
  @Allow(Permission.USER_MANAGE)
  @ApiOperation({ summary: 'Rollen (en voor een melder de locaties) vastleggen; lopende sessies eindigen' })
  @ApiOkResponse({ type: AccountView })
  @ApiProblems(400, 401, 403, 404, 409, 422)
  async roles(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() input: RolesInput): Promise<AccountView> {
    const user = await this.accounts.changeRoles(actor, id, input.roles, input.locationIds);
    return AccountView.of(user);
  }

  @Post('users/:id/activation')
  @Allow(Permission.USER_MANAGE)
  @ApiOperation({ summary: 'Een nieuwe activering (link of briefcode); de vorige werkt niet meer' })
  @ApiCreatedResponse({ type: CreatedAccountView })
  @ApiProblems(400, 401, 403, 404, 422)
  async activation(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() input: ActivationKindInput): Promise<CreatedAccountView> {
    const { user, activation } = await this.accounts.reissueActivation(actor, id, input.activation ?? 'LINK');
    return { account: AccountView.of(user), activation };
  }

  @Post('users/:id/token/reset')
  @Allow(Permission.USER_MANAGE)
  @ApiOperation({ summary: 'Token resetten: het oude werkt niet meer, sessies eindigen, de persoon koppelt opnieuw via een nieuwe activering' })
  @ApiCreatedResponse({ type: CreatedAccountView })
  @ApiProblems(400, 401, 403, 404, 422)
  async resetToken(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() input: ActivationKindInput): Promise<CreatedAccountView> {
    const { user, activation } = await this.accounts.resetToken(actor, id, input.activation ?? 'LINK');
    return { account: AccountView.of(user), activation };
  }

  @Post('users/:id/token/revoke')
  @HttpCode(200)
  @Allow(Permission.USER_MANAGE)
  @ApiOperation({ summary: 'Token intrekken: aanmelden kan niet meer tot een reset' })
  @ApiOkResponse({ type: AccountView })
  @ApiProblems(401, 403, 404)
  async revokeToken(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<AccountView> {
    const user = await this.accounts.revokeToken(actor, id);
    return AccountView.of(user);
  }

  @Post('users/:id/token/hardware')
  @HttpCode(200)
  @Allow(Permission.USER_MANAGE)
  @ApiOperation({ summary: 'Een geregistreerd hardwaretoken aan het account koppelen; de persoon bevestigt het bij activering' })
  @ApiOkResponse({ type: AccountView })
  @ApiProblems(400, 401, 403, 404, 422)
  async assignToken(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() input: AssignTokenInput): Promise<AccountView> {
    const user = await this.accounts.assignHardwareToken(actor, id, input.tokenId);
    return AccountView.of(user);
  }

  @Post('users/:id/lock')
  @HttpCode(200)
  @Allow(Permission.USER_MANAGE)
  @ApiOperation({ summary: 'Blokkeren: aanmelden kan niet meer, sessies eindigen' })
  @ApiOkResponse({ type: AccountView })
  @ApiProblems(401, 403, 404, 409)
  async lock(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<AccountView> {
    const user = await this.accounts.lock(actor, id);
    return AccountView.of(user);
  }

  @Post('users/:id/unlock')
  @HttpCode(200)
  @Allow(Permission.USER_MANAGE)
  @ApiOperation({ summary: 'Deblokkeren, ook na te veel mislukte pogingen' })
  @ApiOkResponse({ type: AccountView })
  @ApiProblems(401, 403, 404)
  async unlock(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<AccountView> {
    const user = await this.accounts.unlock(actor, id);
    return AccountView.of(user);
  }

  @Post('users/:id/sessions/end')
  @HttpCode(200)
  @Allow(Permission.USER_MANAGE)
  @ApiOperation({ summary: 'Alle sessies van het account beëindigen' })
  @ApiOkResponse({ type: EndedSessionsView })
  @ApiProblems(401, 403, 404)
  async endSessions(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<EndedSessionsView> {
    return { ended: await this.accounts.endSessions(actor, id) };
  }

  @Post('users/:id/disable')
  @HttpCode(200)
  @Allow(Permission.USER_MANAGE)
  @ApiOperation({ summary: 'Uitschakelen (niet de laatste beheerder)' })
  @ApiOkResponse({ type: AccountView })
  @ApiProblems(401, 403, 404, 409)
  async disable(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<AccountView> {
    const user = await this.accounts.setDisabled(actor, id, true);
    return AccountView.of(user);
  }

  @Post('users/:id/enable')
  @HttpCode(200)
  @Allow(Permission.USER_MANAGE)
  @ApiOperation({ summary: 'Weer inschakelen' })
  @ApiOkResponse({ type: AccountView })
  @ApiProblems(401, 403, 404)
  async enable(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<AccountView> {
    const user = await this.accounts.setDisabled(actor, id, false);
    return AccountView.of(user);
  }

  @Get('hardware-tokens')
  @Allow(Permission.USER_MANAGE)
  @ApiOperation({ summary: 'Geregistreerde hardwaretokens (zonder seed)' })
  @ApiOkResponse({ type: [HardwareTokenView] })
  @ApiProblems(401, 403)
  async tokens(@CurrentActor() actor: Actor): Promise<HardwareTokenView[]> {
    return (await this.accounts.listHardwareTokens(actor.organisationId)).map((t) => ({
      id: t.id, serial: t.serial, userId: t.userId, revoked: t.revokedAt !== null, createdAt: t.createdAt.toISOString(),
    }));
  }

  @Post('hardware-tokens')
  @Allow(Permission.USER_MANAGE)
  @ApiOperation({ summary: 'Een hardwaretoken registreren op serienummer en seed' })
  @ApiCreatedResponse({ type: HardwareTokenView, description: 'Geregistreerd; de seed wordt nooit teruggegeven' })
  @ApiProblems(400, 401, 403, 422)
  async registerToken(@CurrentActor() actor: Actor, @Body() input: HardwareTokenInput): Promise<HardwareTokenView> {
    const token = await this.accounts.registerHardwareToken(actor, input.serial, input.seed);
    return { id: token.id, serial: token.serial, userId: null, revoked: false, createdAt: token.createdAt.toISOString() };
  }

  @Post('organisations/:code/beheerders')
  @Allow(Permission.BEHEERDER_APPOINT)
  @ApiOperation({ summary: 'Functioneel beheer: de (eerste) beheerder van een organisatie aanwijzen' })
  @ApiCreatedResponse({ type: CreatedAccountView })
  @ApiProblems(400, 401, 403, 404, 422)
  async appoint(@CurrentActor() actor: Actor, @Param('code') code: string, @Body() input: AppointInput): Promise<CreatedAccountView> {
    const { user, activation } = await this.accounts.appoint(code, input, input.activation ?? 'LINK', 'MAIL', actor);
    return { account: AccountView.of(user), activation };
  }
}
