import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { Public } from '../kernel/access';
import { readOutboxState } from './outbox-state';

export class LiveView {
  @ApiProperty({ enum: ['ok'] }) status: 'ok';
}

export class ReadyView {
  @ApiProperty({ enum: ['ok', 'unavailable'] }) status: 'ok' | 'unavailable';
  @ApiProperty({ enum: ['ok', 'unreachable'] }) database: 'ok' | 'unreachable';
  @ApiPropertyOptional({ enum: ['ok', 'pending'], description: 'Ontbreekt als de database onbereikbaar is' }) migrations?: 'ok' | 'pending';
  @ApiPropertyOptional({
    enum: ['ok', 'stuck'],
    description: 'stuck: een e-mail wacht al langer dan OUTBOX_STUCK_SECONDS zonder dat een worker hem oppakt. Ontbreekt als de database onbereikbaar is of migraties ontbreken',
  })
  outbox?: 'ok' | 'stuck';
}

@ApiTags('Gezondheid')
// Load balancers poll these: not counted against any rate limit.
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  @Get('live')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Het proces leeft' })
  @ApiOkResponse({ type: LiveView })
  live(): LiveView {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @ApiOperation({
    summary: 'Klaar voor verkeer: database bereikbaar, alle migraties uitgevoerd en de e-mail loopt door (anders 503; ook tijdens het afsluiten)',
  })
  @ApiOkResponse({ type: ReadyView, description: 'Klaar' })
  @ApiResponse({ status: 503, type: ReadyView, description: 'Niet klaar: database onbereikbaar, migraties nog niet uitgevoerd of de e-mail staat stil' })
  async ready(@Res({ passthrough: true }) res: Response): Promise<ReadyView> {
    try {
      await this.db.query('SELECT 1');
      const pending = await this.db.showMigrations();
      if (pending) {
        res.status(503);
        return { status: 'unavailable', database: 'ok', migrations: 'pending' };
      }
      const outbox = await readOutboxState(this.db);
      if (outbox.mailOldestDueSeconds > this.config.OUTBOX_STUCK_SECONDS) {
        res.status(503);
        return { status: 'unavailable', database: 'ok', migrations: 'ok', outbox: 'stuck' };
      }
      return { status: 'ok', database: 'ok', migrations: 'ok', outbox: 'ok' };
    } catch {
      res.status(503);
      return { status: 'unavailable', database: 'unreachable' };
    }
  }
}
