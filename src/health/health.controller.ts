import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../kernel/access';

export class LiveView {
  @ApiProperty({ enum: ['ok'] }) status: 'ok';
}

export class ReadyView {
  @ApiProperty({ enum: ['ok', 'unavailable'] }) status: 'ok' | 'unavailable';
  @ApiProperty({ enum: ['ok', 'unreachable'] }) database: 'ok' | 'unreachable';
  @ApiPropertyOptional({ enum: ['ok', 'pending'], description: 'Ontbreekt als de database onbereikbaar is' }) migrations?: 'ok' | 'pending';
}

@ApiTags('Gezondheid')
// Load balancers poll these: not counted against any rate limit.
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

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
  @ApiOperation({ summary: 'Klaar voor verkeer: database bereikbaar en alle migraties uitgevoerd (anders 503)' })
  @ApiOkResponse({ type: ReadyView, description: 'Klaar' })
  @ApiResponse({ status: 503, type: ReadyView, description: 'Niet klaar: database onbereikbaar of migraties nog niet uitgevoerd' })
  async ready(@Res({ passthrough: true }) res: Response): Promise<ReadyView> {
    try {
      await this.db.query('SELECT 1');
      const pending = await this.db.showMigrations();
      if (pending) {
        res.status(503);
        return { status: 'unavailable', database: 'ok', migrations: 'pending' };
      }
      return { status: 'ok', database: 'ok', migrations: 'ok' };
    } catch {
      res.status(503);
      return { status: 'unavailable', database: 'unreachable' };
    }
  }
}
