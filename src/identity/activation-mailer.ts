import { EntityManager } from 'typeorm';
import { User } from './user.entity';

/**
 * Sends a person their activation link, in the transaction that issues it (so that the account, its activation and
 * the e-mail exist together or not at all). Identity owns the need; notifications provides it (its outbox), so that
 * identity needs nothing of notifications.
 */
export abstract class ActivationMailer {
  abstract send(m: EntityManager, user: User, organisationName: string, link: string, expiresAt: Date): Promise<void>;
}
