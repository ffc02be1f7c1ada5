import { EntityManager } from 'typeorm';
import { User } from './user.entity';

/**
 * Sends a person their activation link, in the transaction that issues it (so that the account, its activation and
 * the e-mail exist together or not at all). Identity owns the need; notifications provides it (its outbox), so that
 * identity needs nothing of notifications.
 */
export abstract class ActivationMailer {
  abstract send(m: EntityManager, user: User, organisationName: string, link: string, expiresAt: Date): Promise<void>;

  /**
   * Tells a person, at the old and at the new address, that the beheerder changed their account's e-mail address
   * (so that a change they did not expect is noticed); in the transaction of the change.
   */
  abstract addressChanged(m: EntityManager, user: User, organisationName: string, previousEmail: string): Promise<void>;
}
