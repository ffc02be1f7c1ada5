import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { clock } from '../common/clock';
import { todayInNL } from '../common/dates';
import { AppConfig } from '../config/app-config';
import { JobRunner } from './job-runner';
import { RetentionService } from './retention.service';

const EVERY_MS = 5 * 60_000;
const NL_TIME = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Amsterdam', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** Work that runs with the nightly erasure, once per day (the monthly reports plug in here, from their own folder). */
export abstract class NightlyTask {
  abstract readonly name: string;
  abstract run(now: Date): Promise<Record<string, unknown> | null>;
}

/**
 * Every five minutes, in each instance with SCHEDULED_JOBS: once the Dutch clock has passed RETENTION_TIME, the day's
 * erasure runs (JobRunner: one instance, once per day), then the tasks registered as nightly (monthly reports).
 */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Bewaartermijnen');
  private timer: NodeJS.Timeout | null = null;
  private readonly tasks: NightlyTask[] = [];

  constructor(
    private readonly config: AppConfig,
    private readonly jobs: JobRunner,
    private readonly retention: RetentionService,
  ) {}

  register(task: NightlyTask): void {
    this.tasks.push(task);
  }

  onApplicationBootstrap(): void {
    if (!this.config.SCHEDULED_JOBS) return;
    this.timer = setInterval(() => void this.tick(), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One look at the clock; what is due runs. */
  async tick(now: Date = clock.now()): Promise<void> {
    if (NL_TIME.format(now) < this.config.RETENTION_TIME) return;
    try {
      await this.jobs.once('erasure', todayInNL(now), async (m) => ({ ...(await this.retention.eraseDue(m, now)) }));
      for (const task of this.tasks) await task.run(now);
    } catch (error) {
      this.logger.error(`Nachtelijke taak mislukt: ${(error as Error).message}`);
    }
  }
}
