import { EntityManager } from 'typeorm';
import { DisabledReason } from './webhook-endpoint.entity';

/** What the beheerders of an organisation are told when one of its endpoints was disabled. No personal data. */
export interface DisabledEndpointNotice {
  organisationId: string;
  endpointId: string;
  description: string;
  /** The host of the address only: a path or query can carry a receiver's own tokens. */
  host: string;
  reason: DisabledReason.GONE | DisabledReason.FAILING;
  failingSince: Date | null;
  lastAnswer: string | null;
}

/**
 * How webhooks tell people that an endpoint was disabled, owned here and provided by notifications (which writes the
 * e-mail to its outbox, in the transaction that disables the endpoint), so that webhooks need not import it.
 */
export abstract class WebhookAlerts {
  abstract endpointDisabled(m: EntityManager, notice: DisabledEndpointNotice): Promise<void>;
}
