import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SessionsService } from './sessions.service';

const EVERY_MS = 10 * 60_000;

/** Every ten minutes, in every instance: ended sessions and spent counters are removed (SessionsService.purgeExpired). */
@Injectable()
export class HousekeepingService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Onderhoud');
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly sessions: SessionsService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.run(), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async run(): Promise<void> {
    try {
      const ended = await this.sessions.purgeExpired();
      if (ended > 0) this.logger.log(`${ended} verlopen sessie(s) opgeruimd`);
    } catch (error) {
      this.logger.warn(`Opruimen mislukt: ${(error as Error).message}`);
    }
  }
}
