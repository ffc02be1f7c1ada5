import request from 'supertest';
import { clock } from '../../src/common/clock';
import { hashPassword } from '../../src/identity/credentials/passwords';
import { codeAt, newSecret, SecretBox } from '../../src/identity/credentials/totp';
import { MailFrequency, TokenKind, User, UserStatus } from '../../src/identity/user.entity';
import { Organisation } from '../../src/organisations/organisation.entity';
import { OrganisationsService } from '../../src/organisations/organisations.service';
import { checkedAgent } from './contract';
import { TestApp } from './test-app';

export const PASSWORD = 'lange-zin met spaties 2026';

/**
 * The hash of PASSWORD, made once per test file: every person shares the password, and an argon2 hash at today's
 * parameters costs ~185 ms of CPU here (64 MiB), once per person before. Signing in still verifies it every time.
 */
let passwordHash: Promise<string> | undefined;
const hashOfPassword = (): Promise<string> => (passwordHash ??= hashPassword(PASSWORD));

export interface Person {
  user: User;
  seed: string;
}

/**
 * An active account with a password and an app token, put straight into the database: for tests of other things
 * than activation (test/identity.e2e-spec.ts walks the real activation).
 */
export async function activePerson(
  t: TestApp,
  orgCode: string,
  p: { username: string; email: string; roles: string[]; frequency?: MailFrequency },
): Promise<Person> {
  const org = await t.app.get(OrganisationsService).requireByCode(orgCode, 'code');
  const seed = newSecret();
  const user = await t.db.getRepository(User).save({
    organisationId: org.id,
    username: p.username,
    name: p.username,
    email: p.email,
    roles: p.roles,
    status: UserStatus.ACTIVE,
    passwordHash: await hashOfPassword(),
    tokenKind: TokenKind.APP,
    totpSeed: t.app.get(SecretBox).seal(seed),
    mailFrequency: p.frequency ?? MailFrequency.IMMEDIATE,
  });
  return { user, seed };
}

/** Signs in in two steps; the returned agent carries the session cookie, `csrf` goes with every change. */
export async function signIn(t: TestApp, person: Person): Promise<{ agent: ReturnType<typeof request.agent>; csrf: string }> {
  const agent = checkedAgent(t.app, request.agent(t.http));
  await agent.post('/api/v1/session').send({ username: person.user.username, password: PASSWORD }).expect(200);
  const res = await agent.post('/api/v1/session/code').send({ code: codeAt(person.seed, clock.now()) }).expect(200);
  return { agent, csrf: res.body.csrfToken };
}

/**
 * A regional leerplicht office that the given municipalities handed their leerplicht tasks to (Leerplichtwet art. 21
 * lid 3): their under-18 reports go to the office.
 */
export async function newRegionalOffice(t: TestApp, code: string, municipalities: string[] = []): Promise<Organisation> {
  const organisations = t.app.get(OrganisationsService);
  const office = await organisations.createOffice(code, `Regionaal Bureau Leerplicht ${code}`);
  for (const municipality of municipalities) await organisations.setDelegation(municipality, code);
  return office;
}
