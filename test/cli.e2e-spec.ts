import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { codeAt } from '../src/identity/credentials/totp';
import { createApp } from '../src/bootstrap';
import { AppConfig, loadConfig } from '../src/config/app-config';
import { createTestDatabase, TestDatabase } from './support/test-database';

/**
 * The operator's command line, run as operators run it: the compiled `node dist/src/cli.js`, against a database of
 * its own. The HTTP side is checked with the real application started in this process on the same database.
 */

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist', 'src', 'cli.js');
const DUO_FILE = '/work/shared/data/duo-vestigingen-bo-2026-08.csv';

const DUO_HEADER =
  'PROVINCIE;BEVOEGD GEZAG NUMMER;INSTELLINGSCODE;VESTIGINGSCODE;VESTIGINGSNAAM;STRAATNAAM;HUISNUMMER-TOEVOEGING;POSTCODE;PLAATSNAAM;' +
  'GEMEENTENUMMER;GEMEENTENAAM;DENOMINATIE;TELEFOONNUMMER;INTERNETADRES;STRAATNAAM CORRESPONDENTIEADRES;' +
  'HUISNUMMER-TOEVOEGING CORRESPONDENTIEADRES;POSTCODE CORRESPONDENTIEADRES;PLAATSNAAM CORRESPONDENTIEADRES;NODAAL GEBIED CODE;' +
  'NODAAL GEBIED NAAM;RPA-GEBIED CODE;RPA-GEBIED NAAM;WGR-GEBIED CODE;WGR-GEBIED NAAM;COROPGEBIED CODE;COROPGEBIED NAAM;' +
  'ONDERWIJSGEBIED CODE;ONDERWIJSGEBIED NAAM;RMC-REGIO CODE;RMC-REGIO NAAM;VAKANTIEREGIO';

/** Used only when the shared DUO file is not there: a few real rows plus two of our own, same format. */
const DUO_FIXTURE = [
  DUO_HEADER,
  'Drenthe;20091;32JK;32JK00;BBS de Verwondering;Melkweg;13;9306 TC;ALTEVEER GEM NOORDENVELD;1699;NOORDENVELD;Algemeen bijzonder; ; ;Melkweg;13;9306 TC;ALTEVEER GEM NOORDENVELD;01;Groningen;03;Centraal-Groningen;07;Noord- en Midden-Drenthe;07;Noord-Drenthe;01;Groningen en omstreken;07;Noord- en Midden Drenthe;Noord',
  'Drenthe;20091;32JK;32JK01;BBS de Verwondering dependance;Melkweg;15;9306 TC;ALTEVEER GEM NOORDENVELD;1699;NOORDENVELD;Algemeen bijzonder; ; ;Melkweg;15;9306 TC;ALTEVEER GEM NOORDENVELD;01;Groningen;03;Centraal-Groningen;07;Noord- en Midden-Drenthe;07;Noord-Drenthe;01;Groningen en omstreken;07;Noord- en Midden Drenthe;Noord',
  'Drenthe;32073;03WU;03WU00;Kindcentrum De Wegwijzer;Harm Tiesingstraat;74;9571 AZ;2E EXLOERMOND;1681;BORGER-ODOORN;Protestants-Christelijk;0599671206;www.ckcdewegwijzer.nl;Harm Tiesingstraat;74;9571 AZ;2E EXLOERMOND;12;Emmen;05;Zuid- en Midden-Drenthe;08;Zuidoost-Drenthe;08;Zuidoost-Drenthe;04;Assen-Hoogeveen-Emmen;08;Zuid-Oost Drenthe;Noord',
  'Friesland;41385;04NA;04NA00;"Algemeen Bijzondere basisschool ""de Fluessen""";Aldewei;37;8582 KX;OUDEGA DE FRYSKE MARREN;1940;DE FRYSKE MARREN;Protestants-Christelijk;0514603832;www.nijegaast.nl/fluessen;Dubbelstraat;8-A;8561 BC;BALK;08;Heerenveen;04;Fryslân;05;Zuidwest-Friesland;05;Zuidwest-Friesland;03;Friesland;05;Zuid-West Friesland;Noord',
  'Utrecht;41886;18HI;18HI00;"Basisschool ""Kla4""";Asschatterweg;36-B;3831 JT;LEUSDEN;0327;LEUSDEN;Rooms-Katholiek;0334941719;www.voilaleusden.nl;Asschatterweg;36-B;3831 JT;LEUSDEN;35;Amersfoort;17;Eemland;16;Eem en Vallei;17;Utrecht;10;Harderwijk-Amersfoort;16;Eem en Vallei;Midden',
  // Not imported: a municipality number that does not exist (reported as skipped).
  'Testland;1;99ZY;99ZY00;School in een onbekende gemeente;Nergensweg;1;1234 AB;NERGENS;9999;NERGENS;Algemeen bijzonder; ; ;Nergensweg;1;1234 AB;NERGENS;01;x;01;x;01;x;01;x;01;x;01;x;Noord',
].join('\n') + '\n';

/** The configuration variables of the app: never inherited from the outer environment, only from the test database. */
const CONFIG_KEYS = [...Object.keys(new AppConfig()), 'DATABASE_URL', 'PGN_ENCRYPTION_KEY'];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** One `;`-separated line with RFC 4180 quoting ("" for a quote), like DUO's file. */
function splitDuoLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === ';' && !quoted) {
      out.push(field);
      field = '';
    } else {
      field += c;
    }
  }
  out.push(field);
  return out;
}

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

describe('the operator CLI (node dist/src/cli.js)', () => {
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;
  let workDir: string;
  let duoFile: string;
  let duoRows: { line: number; fields: Record<string, string> }[];

  /** Runs the compiled CLI with the test database's environment (plus `extraEnv`). */
  function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
    return new Promise((resolve) => {
      execFile('node', [CLI, ...args], { cwd: ROOT, env: { ...env, ...extraEnv }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    });
  }

  /**
   * The real HTTP application on the same database, for as long as `work` runs. Started and stopped around each use:
   * the embedded database (when no PostgreSQL server is there) serves one process at a time.
   */
  async function withApp<T>(work: (app: INestApplication, db: DataSource) => Promise<T>): Promise<T> {
    const app = await createApp(loadConfig(database.env), { logger: false });
    await app.init();
    try {
      return await work(app, app.get<DataSource>(getDataSourceToken()));
    } finally {
      await app.close();
    }
  }

  async function tableChecksums(db: DataSource): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const table of ['organisation', 'location']) {
      const [row] = await db.query(`SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) AS sum FROM ${table} t`);
      out[table] = `${row.n}:${row.sum}`;
    }
    return out;
  }

  beforeAll(async () => {
    if (!existsSync(CLI) || statSync(CLI).mtimeMs < Math.max(newestSourceMtime(join(ROOT, 'src')), newestSourceMtime(join(ROOT, 'migrations')))) {
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'pipe' });
    }
    database = await createTestDatabase();
    env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !CONFIG_KEYS.includes(k)));
    Object.assign(env, database.env);

    workDir = mkdtempSync(join(tmpdir(), 'vzl-cli-'));
    if (existsSync(DUO_FILE)) duoFile = DUO_FILE;
    else {
      duoFile = join(workDir, 'duo-fixture.csv');
      writeFileSync(duoFile, DUO_FIXTURE, 'utf8');
    }
    const [header, ...lines] = readFileSync(duoFile, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
    const columns = splitDuoLine(header).map((h) => h.trim().toUpperCase());
    duoRows = lines
      .map((text, i) => ({ text, line: i + 2 }))
      .filter((r) => r.text.trim() !== '')
      .map((r) => ({ line: r.line, fields: Object.fromEntries(splitDuoLine(r.text).map((v, i) => [columns[i], v.trim()])) }));
  }, 120_000);

  afterAll(async () => {
    await database?.drop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('--help lists every command', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    for (const command of [
      'migrate', 'import-duo', 'create-school', 'create-office', 'delegate', 'route',
      'list-organisations', 'create-api-key', 'list-api-keys', 'revoke-api-key', 'create-operator',
    ]) {
      expect(run.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    }
  });

  it('import-duo imports every school and location of the DUO file', async () => {
    const run = await cli(['import-duo', duoFile]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    // Skipped rows are reported one per line (the first 20), then "... en nog N overgeslagen regels".
    const skippedLines = [...run.stdout.matchAll(/^Overgeslagen, regel (\d+):/gm)].map((m) => Number(m[1]));
    const more = Number(/^\.\.\. en nog (\d+) overgeslagen regels/m.exec(run.stdout)?.[1] ?? 0);
    const skipped = skippedLines.length + more;
    const kept = more === 0 ? duoRows.filter((r) => !skippedLines.includes(r.line)) : duoRows;
    const brins = new Set(kept.map((r) => r.fields.INSTELLINGSCODE.toUpperCase()));
    // DUO's August 2026 list uses exactly the 342 municipality codes the service ships: nothing to skip there.
    if (duoFile === DUO_FILE) expect(skipped).toBe(0);

    expect(run.stdout).toContain(`Scholen: ${brins.size} nieuw, 0 gewijzigd`);
    expect(run.stdout).toContain(`Locaties: ${duoRows.length - skipped} nieuw, 0 gewijzigd, 0 ongewijzigd`);

    await withApp(async (_app, db) => {
      const [{ schools }] = await db.query(`SELECT count(*)::int AS schools FROM organisation WHERE type = 'SCHOOL'`);
      const [{ locations }] = await db.query(`SELECT count(*)::int AS locations FROM location`);
      expect(schools).toBe(brins.size);
      expect(locations).toBe(duoRows.length - skipped);

      const known = async (brin: string, code: string) => {
        const rows = await db.query(
          `SELECT s.name AS school, s.sector, l.name, l.street, l.house_number, l.postcode, l.place, m.code AS municipality
             FROM location l JOIN organisation s ON s.id = l.school_id LEFT JOIN organisation m ON m.id = l.municipality_id
            WHERE s.code = $1 AND l.code = $2`,
          [brin, code],
        );
        expect(rows).toHaveLength(1);
        return rows[0];
      };
      expect(await known('32JK', '00')).toEqual({
        school: 'BBS de Verwondering', sector: 'PO', name: 'BBS de Verwondering', street: 'Melkweg', house_number: '13',
        postcode: '9306 TC', place: 'ALTEVEER GEM NOORDENVELD', municipality: 'GM1699',
      });
      // A quoted name with doubled quotes, and a municipality number with a leading zero.
      expect(await known('04NA', '00')).toMatchObject({ name: 'Algemeen Bijzondere basisschool "de Fluessen"', municipality: 'GM1940' });
      expect(await known('18HI', '00')).toMatchObject({ name: 'Basisschool "Kla4"', house_number: '36-B', postcode: '3831 JT', municipality: 'GM0327' });
    });
  });

  it('import-duo a second time reports nothing new or changed and changes nothing', async () => {
    const before = await withApp((_app, db) => tableChecksums(db));
    const run = await cli(['import-duo', duoFile]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Scholen: 0 nieuw, 0 gewijzigd');
    expect(run.stdout).toMatch(/^Locaties: 0 nieuw, 0 gewijzigd, \d+ ongewijzigd$/m);
    const after = await withApp((_app, db) => tableChecksums(db));
    expect(after).toEqual(before);
  });

  it('create-school, create-office, delegate and route change the organisations', async () => {
    const school = await cli(['create-school', '--brin', '99zz', '--name', 'Testschool De Horizon', '--sector', 'PO']);
    expect(school).toMatchObject({ code: 0, stderr: '' });
    expect(school.stdout).toContain('School 99ZZ (Testschool De Horizon) aangemaakt.');

    const office = await cli(['create-office', '--code', 'rbl-test', '--name', 'Regionaal Bureau Leerplicht Test']);
    expect(office).toMatchObject({ code: 0, stderr: '' });
    expect(office.stdout).toContain('Regionaal bureau RBL-TEST (Regionaal Bureau Leerplicht Test) aangemaakt.');

    const delegate = await cli(['delegate', '--municipality', 'GM1699', '--office', 'rbl-test']);
    expect(delegate).toMatchObject({ code: 0, stderr: '' });
    expect(delegate.stdout).toContain('Meldingen voor GM1699 gaan naar RBL-TEST.');

    const route = await cli(['route', '--municipality', 'GM1699', '--kind', 'RMC', '--to', 'GM0363']);
    expect(route).toMatchObject({ code: 0, stderr: '' });
    expect(route.stdout).toContain('RMC-meldingen voor GM1699 gaan naar GM0363.');

    await withApp(async (_app, db) => {
      expect(await db.query(`SELECT type, name, sector FROM organisation WHERE code = '99ZZ'`)).toEqual([
        { type: 'SCHOOL', name: 'Testschool De Horizon', sector: 'PO' },
      ]);
      expect(await db.query(`SELECT type, name FROM organisation WHERE code = 'RBL-TEST'`)).toEqual([
        { type: 'REGIONAAL_BUREAU', name: 'Regionaal Bureau Leerplicht Test' },
      ]);
      expect(
        await db.query(`SELECT d.code FROM organisation m JOIN organisation d ON d.id = m.delegate_id WHERE m.code = 'GM1699'`),
      ).toEqual([{ code: 'RBL-TEST' }]);
      expect(
        await db.query(
          `SELECT r.kind, t.code FROM routing_rule r JOIN organisation m ON m.id = r.municipality_id JOIN organisation t ON t.id = r.target_id
            WHERE m.code = 'GM1699'`,
        ),
      ).toEqual([{ kind: 'RMC', code: 'GM0363' }]);
    });

    const again = await cli(['create-school', '--brin', '99ZZ', '--name', 'Nog een keer']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('99ZZ bestaat al');
  });

  it('create-api-key prints a key that works on the API; list-api-keys shows it without the secret; revoke-api-key stops it', async () => {
    const created = await cli(['create-api-key', '--org', '32jk', '--name', 'Magister', '--roles', 'melder,beheerder']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const lines = created.stdout.trim().split('\n');
    const head = /^API-sleutel ([0-9a-f-]{36}) voor 32JK \(melder, beheerder\):$/.exec(lines[0]);
    expect(head).not.toBeNull();
    const id = head![1];
    const secret = lines[1];
    expect(secret).toMatch(/^vzl_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    expect(lines[2]).toContain('niet opnieuw getoond');

    await withApp(async (app) => {
      const res = await request(app.getHttpServer()).get('/api/v1/locations').set('Authorization', `Bearer ${secret}`).expect(200);
      expect(res.body).toEqual(
        expect.arrayContaining([expect.objectContaining({ vestigingscode: '32JK00', name: 'BBS de Verwondering', municipalityCode: 'GM1699' })]),
      );
      await request(app.getHttpServer()).get('/api/v1/locations').expect(401);
    });

    const listed = await cli(['list-api-keys', '--org', '32JK']);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    const row = listed.stdout.split('\n').find((l) => l.startsWith(id));
    expect(row?.split('\t')).toEqual([id, `${secret.slice(0, 12)}…`, 'Magister', 'melder,beheerder', 'actief']);
    expect(listed.stdout).not.toContain(secret);
    expect(listed.stdout).not.toContain(secret.slice(13));

    const revoked = await cli(['revoke-api-key', '--org', '32JK', '--id', id]);
    expect(revoked).toMatchObject({ code: 0, stderr: '' });
    expect(revoked.stdout).toContain(`Sleutel ${id} ingetrokken.`);

    await withApp(async (app) => {
      const res = await request(app.getHttpServer()).get('/api/v1/locations').set('Authorization', `Bearer ${secret}`).expect(401);
      expect(res.body.code).toBe('UNAUTHENTICATED');
    });
    const relisted = await cli(['list-api-keys', '--org', '32JK']);
    expect(relisted.stdout.split('\n').find((l) => l.startsWith(id))).toMatch(/\tingetrokken \d{4}-\d{2}-\d{2}T/);
  });

  it('create-operator prints a one-time activation link with which the operator activates and signs in', async () => {
    const run = await cli(['create-operator', '--username', 'fb.eerste', '--name', 'Fien Beheer', '--email', 'fb@operator.example']);
    expect(run.code).toBe(0);
    const url = run.stdout.match(/https?:\/\/\S+activeren\?code=(\S+)/);
    expect(url).not.toBeNull();
    await withApp(async (app) => {
      const agent = request.agent(app.getHttpServer());
      const password = 'operator-wachtwoord 2026';
      const started = await agent.post('/api/v1/activation/start').send({ activationCode: url![1], password }).expect(200);
      await agent.post('/api/v1/activation/confirm').send({ activationCode: url![1], code: codeAt(started.body.secret, new Date(Date.now() - 30_000)) }).expect(200);
      await agent.post('/api/v1/session').send({ username: 'fb.eerste', password }).expect(200);
      const me = await agent.post('/api/v1/session/code').send({ code: codeAt(started.body.secret) }).expect(200);
      expect(me.body).toMatchObject({ type: 'USER', organisation: 'OPERATOR', organisationType: 'OPERATOR' });
      expect(me.body.permissions).toContain('beheerder:appoint');
    });
  });

  it('an unknown organisation code stops with exit code 1 and a Dutch message on stderr', async () => {
    const run = await cli(['create-api-key', '--org', 'ZZ99', '--name', 'Magister', '--roles', 'melder']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('organisatie ZZ99 bestaat niet');
  });

  it('a key id that is not a uuid is refused like an unknown key, without SQL on the terminal', async () => {
    const run = await cli(['revoke-api-key', '--org', '32JK', '--id', 'geen-uuid']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Deze sleutel bestaat niet.');
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/SELECT|query failed|invalid input syntax/);
  });

  it('on the embedded database, a command ends cleanly: no worker polling a closed database, no stack trace', async () => {
    const dataDir = join(workDir, 'embedded');
    const embeddedEnv = Object.fromEntries(Object.entries(env).filter(([k]) => !CONFIG_KEYS.includes(k)));
    const run = (args: string[]) => new Promise<Run>((resolve) => {
      execFile('node', [CLI, ...args], { cwd: ROOT, env: { ...embeddedEnv, DATA_DIR: dataDir }, timeout: 170_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout: String(stdout), stderr: String(stderr) });
      });
    });
    // The first run also creates and migrates the database.
    const created = await run(['create-office', '--code', 'rbl-ingebouwd', '--name', 'Bureau Ingebouwd']);
    expect(created).toMatchObject({ code: 0, stdout: 'Regionaal bureau RBL-INGEBOUWD (Bureau Ingebouwd) aangemaakt.\n' });
    const listed = await run(['list-organisations', '--type', 'REGIONAAL_BUREAU']);
    expect(listed).toMatchObject({ code: 0, stdout: 'RBL-INGEBOUWD\tREGIONAAL_BUREAU\tBureau Ingebouwd\n' });
    for (const { stderr } of [created, listed]) expect(stderr).not.toMatch(/ERROR|closed|released|^\s+at /im);
    expect(existsSync(join(dataDir, 'pglite', 'in-use.lock'))).toBe(false);
  }, 400_000);

  it('a bad configuration value stops before anything runs, naming the variable', async () => {
    const run = await cli(['list-organisations'], { PORT: 'abc' });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Ongeldige configuratie');
    expect(run.stderr).toMatch(/^\s*PORT:/m);
  });
});
