import { Injectable } from '@nestjs/common';

/**
 * A nudge from the outbox to the worker of this instance: a change that wrote deliveries has committed, so the worker
 * looks now instead of at its next poll. Other instances find the rows at their next poll.
 */
@Injectable()
export class WebhookWakeup {
  private listener: (() => void) | undefined;

  onWake(listener: () => void): void {
    this.listener = listener;
  }

  wake(): void {
    this.listener?.();
  }
}
