import { EXPECTED_RIGHTS, EXPECTED_ROLES, expectedAllowed, ROLE_COLUMNS } from '../../test/support/expected-rights';
import { ErrorCode, FieldCode, ProblemError } from '../common/problem';
import { Permission } from '../kernel/permission';
import { OrganisationType } from '../kernel/organisation-type';
import { assertGrantable, permissionsOf, Role, ROLES_BY_ORGANISATION, ROLES_V1 } from './permissions';

const ALL_PERMISSIONS = Object.values(Permission);
const subsets = <T>(items: readonly T[]): T[][] => items.reduce<T[][]>((acc, item) => acc.concat(acc.map((s) => [...s, item])), [[]]);

describe('the permission table against the rights written down by hand (test/support/expected-rights.ts)', () => {
  it('has a row for every permission and a column for every role', () => {
    expect(Object.keys(EXPECTED_RIGHTS).sort()).toEqual([...ALL_PERMISSIONS].sort());
    expect([...ROLE_COLUMNS].sort()).toEqual(Object.values(Role).sort());
  });

  it.each(Object.values(Role))('gives a person who is %s exactly the permissions of the table', (role) => {
    const expected = ALL_PERMISSIONS.filter((p) => expectedAllowed([role], false, p));
    expect([...permissionsOf([role], false)].sort()).toEqual(expected.sort());
  });

  it.each(Object.values(Role))('gives a key with role %s exactly the permissions of the table, none of the human-only ones', (role) => {
    const expected = ALL_PERMISSIONS.filter((p) => expectedAllowed([role], true, p));
    expect([...permissionsOf([role], true)].sort()).toEqual(expected.sort());
  });

  it('gives several roles the union of their rights, and an unknown role none', () => {
    // One comparison of every combination (a failure lists the combinations that differ): cheap enough to rerun per mutant.
    const actual: unknown[] = [];
    const expected: unknown[] = [];
    for (const roles of subsets(Object.values(Role))) {
      for (const machine of [false, true]) {
        expected.push([roles, machine, ALL_PERMISSIONS.filter((p) => expectedAllowed(roles, machine, p)).sort()]);
        actual.push([roles, machine, [...permissionsOf(roles, machine)].sort()]);
      }
    }
    expect(actual).toEqual(expected);
    expect([...permissionsOf(['directeur', 'constructor', '__proto__'], false)]).toEqual([]);
  });

  it('never lets a machine key manage keys, accounts or webhooks, appoint a beheerder or choose a mail setting', () => {
    const keyRights = permissionsOf(Object.values(Role), true);
    for (const p of [Permission.APIKEY_MANAGE, Permission.USER_MANAGE, Permission.WEBHOOK_MANAGE, Permission.BEHEERDER_APPOINT, Permission.NOTIFICATION_SELF]) {
      expect(keyRights.has(p)).toBe(false);
    }
  });

  it('answers API version 1 clients with the five roles it was published with, and a later role apart', () => {
    expect([...ROLES_V1].sort()).toEqual(['behandelaar', 'beheerder', 'lezer', 'melder', 'operator']);
  });

  it('knows which roles exist in which kind of organisation', () => {
    for (const type of Object.values(OrganisationType)) {
      expect([...ROLES_BY_ORGANISATION[type]].sort()).toEqual([...EXPECTED_ROLES[type]].sort());
    }
  });
});

describe('assertGrantable: nobody grants more than they hold', () => {
  const outcome = (granter: { roles: readonly string[] } | null, type: OrganisationType, roles: string[]): string => {
    try {
      assertGrantable(granter, type, roles);
      return 'ok';
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      return error.code === ErrorCode.VALIDATION_FAILED ? `invalid:${error.errors?.map((f) => `${f.field}/${f.code}`).join()}` : error.code;
    }
  };

  it.each(Object.values(OrganisationType))('refuses every grant in a %s beyond what the granter holds, and allows every other', (type) => {
    const possible: readonly string[] = EXPECTED_ROLES[type];
    const foreign: string[] = Object.values(Role).filter((r) => !possible.includes(r));
    const actual: [string[], string[], string][] = [];
    const expected: [string[], string[], string][] = [];
    for (const held of subsets(possible)) {
      for (const asked of subsets<string>([...possible, ...foreign])) {
        expected.push([held, asked, asked.some((r) => foreign.includes(r))
          ? `invalid:roles/${FieldCode.NOT_ALLOWED_VALUE}`
          : asked.every((r) => held.includes(r)) ? 'ok' : ErrorCode.FORBIDDEN]);
        actual.push([held, asked, outcome({ roles: held }, type, asked)]);
      }
    }
    expect(actual).toEqual(expected);
  });

  it('lets the operator command line grant any role of the organisation, and no other', () => {
    for (const type of Object.values(OrganisationType)) {
      for (const role of Object.values(Role)) {
        expect([type, role, outcome(null, type, [role])]).toEqual([type, role, (EXPECTED_ROLES[type] as readonly string[]).includes(role) ? 'ok' : `invalid:roles/${FieldCode.NOT_ALLOWED_VALUE}`]);
      }
    }
  });

  it('says in Dutch which role is not possible or not held', () => {
    const refusal = (() => {
      try {
        assertGrantable({ roles: ['beheerder'] }, OrganisationType.SCHOOL, ['behandelaar', 'operator']);
      } catch (error) {
        return error as ProblemError;
      }
    })();
    expect(refusal?.errors).toEqual([
      { field: 'roles', code: FieldCode.NOT_ALLOWED_VALUE, message: 'roles: behandelaar, operator bestaat niet bij deze organisatie (mogelijk: melder, lezer, beheerder, rapportage)' },
    ]);
    expect(() => assertGrantable({ roles: ['lezer'] }, OrganisationType.SCHOOL, ['lezer', 'melder', 'beheerder'])).toThrow(
      'U kunt geen rol toekennen of afnemen die u zelf niet heeft: melder, beheerder.',
    );
  });
});
