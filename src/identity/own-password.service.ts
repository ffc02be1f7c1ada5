import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditAction, AuditSubjectType } from '../audit/audit-event.entity';
import { AuditService, byActor } from '../audit/audit.service';
import { FieldCode, FieldError, invalid } from '../common/problem';
import { Actor } from '../kernel/actor';
import { AttemptsService } from './attempts.service';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './credentials/passwords';
import { Session } from './session.entity';
import { User } from './user.entity';

/**
 * A person changes their own password: the current one is required (and counted like a sign-in's password, so a
 * left-open session is no way to guess it), the new one meets the same rules as at activation, and every other
 * session of the person ends (the one in use stays). Audited as PASSWORD_CHANGED.
 */
@Injectable()
export class OwnPasswordService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly attempts: AttemptsService,
    private readonly audit: AuditService,
  ) {}

  /** The number of other sessions ended. */
  async change(actor: Actor & { sessionId?: string }, current: string, next: string, clientIp: string | null): Promise<number> {
    const user = await this.db.getRepository(User).findOneByOrFail({ id: actor.id });
    const errors: FieldError[] = [];
    if (!current) errors.push({ field: 'current', code: FieldCode.REQUIRED, message: 'current: vul uw huidige wachtwoord in' });
    else if (!(await this.attempts.claimAccount(user, 'password', clientIp)) || !user.passwordHash || !(await verifyPassword(user.passwordHash, current))) {
      errors.push({ field: 'current', code: FieldCode.NOT_ALLOWED_VALUE, message: 'current: dit is niet uw huidige wachtwoord, of er waren te veel pogingen; probeer het later opnieuw' });
    }
    errors.push(...checkPasswordPolicy(typeof next === 'string' ? next : '', { username: user.username, name: user.name, email: user.email }));
    if (errors.length > 0) throw invalid(...errors);
    await this.attempts.passwordSucceeded(user.id);
    const passwordHash = await hashPassword(next);
    return this.db.transaction(async (m) => {
      await m.getRepository(User).update(user.id, { passwordHash });
      const ended = await m.createQueryBuilder().delete().from(Session)
        .where('user_id = :id', { id: user.id }).andWhere(actor.sessionId ? 'id <> :session' : 'TRUE', { session: actor.sessionId }).execute();
      await this.audit.record(byActor(actor, AuditAction.PASSWORD_CHANGED, {
        subjectType: AuditSubjectType.USER, subjectId: user.id, details: { username: user.username, by: 'self', otherSessionsEnded: ended.affected ?? 0 },
      }), m);
      return ended.affected ?? 0;
    });
  }
}
