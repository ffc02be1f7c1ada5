import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsDefined, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { ApiProblems } from '../common/api-problems.decorator';
import { Actor } from '../kernel/actor';
import { Allow, CurrentActor, Permission } from '../kernel/access';
import { ApiKey } from './api-key.entity';
import { ApiKeysService } from './api-keys.service';
import { Role } from './permissions';

export class NewApiKeyInput {
  @ApiProperty({ example: 'Magister' }) @IsDefined() @IsString() @MinLength(1) @MaxLength(100)
  name: string;
  @ApiProperty({ enum: Role, isArray: true, description: 'Wat het systeem mag: rollen van de eigen organisatie die u zelf ook heeft (minstens één)' })
  @IsDefined() @IsArray() @ArrayMinSize(1, { message: 'kies minstens één rol' }) @ArrayMaxSize(5) @ArrayUnique() @IsIn(Object.values(Role), { each: true })
  roles: Role[];
}

export class ApiKeyView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Begin van de sleutel, om hem te herkennen' }) prefix: string;
  @ApiProperty({ type: [String] }) roles: string[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastUsedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt: string | null;

  static of(k: ApiKey): ApiKeyView {
    return { id: k.id, name: k.name, prefix: k.prefix, roles: k.roles, createdAt: k.createdAt.toISOString(), lastUsedAt: k.lastUsedAt?.toISOString() ?? null, revokedAt: k.revokedAt?.toISOString() ?? null };
  }
}

export class IssuedApiKeyView {
  @ApiProperty({ type: ApiKeyView }) key: ApiKeyView;
  @ApiProperty({ description: 'De sleutel zelf: eenmalig getoond, alleen als hash bewaard' }) secret: string;
}

/** The beheerder's API keys for their organisation's systems: created, shown once, revocable. */
@ApiTags('Beheer API-sleutels')
@ApiBearerAuth()
@Controller('api/v1/api-keys')
export class ApiKeysApiController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  @Allow(Permission.APIKEY_MANAGE)
  @ApiOperation({ summary: 'De API-sleutels van de eigen organisatie (zonder geheim)' })
  @ApiOkResponse({ type: [ApiKeyView] })
  @ApiProblems(401, 403)
  async list(@CurrentActor() actor: Actor): Promise<ApiKeyView[]> {
    return (await this.keys.list(actor.organisationId)).map(ApiKeyView.of);
  }

  @Post()
  @Allow(Permission.APIKEY_MANAGE)
  @ApiOperation({ summary: 'Een API-sleutel maken voor een systeem van de eigen organisatie' })
  @ApiCreatedResponse({ type: IssuedApiKeyView })
  @ApiProblems(400, 401, 403, 422)
  async create(@CurrentActor() actor: Actor, @Body() input: NewApiKeyInput): Promise<IssuedApiKeyView> {
    const { key, secret } = await this.keys.createBy(actor, input.name, input.roles);
    return { key: ApiKeyView.of(key), secret };
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @Allow(Permission.APIKEY_MANAGE)
  @ApiOperation({ summary: 'Een API-sleutel intrekken; hij werkt direct niet meer' })
  @ApiOkResponse({ type: ApiKeyView })
  @ApiProblems(401, 403, 404)
  async revoke(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<ApiKeyView> {
    const key = await this.keys.revokeBy(actor, id);
    return ApiKeyView.of(key);
  }
}
