import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedDatabase } from '../src/database/embedded-database';
import { availableTemplate, copyTemplateInto } from '../src/database/embedded-template';

/**
 * The embedded default (ADR 15): a first start copies the empty cluster the build made instead of running initdb,
 * and PGlite runs with small memory settings. Start time and memory themselves are measured by
 * `npm run bench -- --embedded`, not here.
 */
describe('the embedded database', () => {
  let work: string;
  beforeAll(() => (work = mkdtempSync(join(tmpdir(), 'vzl-embedded-'))));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  async function ask<T>(db: EmbeddedDatabase, sql: string): Promise<T[]> {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }

  it('starts a new data folder from the template the build made, with its own small buffers, and keeps what is written', async () => {
    // `npm run build` (postbuild) makes it; the tests run after a build.
    expect(availableTemplate()).not.toBeNull();
    const ids: string[] = [];
    for (const name of ['a', 'b']) {
      const db = await EmbeddedDatabase.start(join(work, name, 'pglite'));
      try {
        const [control] = await ask<{ id: string }>(db, 'SELECT system_identifier::text AS id FROM pg_control_system()');
        ids.push(control.id);
        const settings = await ask<{ name: string; setting: string; unit: string }>(
          db,
          `SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'maintenance_work_mem') ORDER BY name`,
        );
        // 16 MB of 8 kB buffers, 16 MB in kB; PGlite's own defaults are 128 MB and 64 MB.
        expect(settings).toEqual([
          { name: 'maintenance_work_mem', setting: '16384', unit: 'kB' },
          { name: 'shared_buffers', setting: '2048', unit: '8kB' },
        ]);
        await ask(db, `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('${name}')`);
      } finally {
        await db.stop();
      }
    }
    // initdb gives every cluster a new random identifier; two copies of one template share it.
    expect(ids[0]).toEqual(ids[1]);

    const again = await EmbeddedDatabase.start(join(work, 'a', 'pglite'));
    try {
      expect(await ask(again, 'SELECT v FROM kept')).toEqual([{ v: 'a' }]);
    } finally {
      await again.stop();
    }
  });

  it('copies nothing into a folder that holds anything but the lock file', () => {
    const folder = join(work, 'stray');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'in-use.lock'), '1');
    writeFileSync(join(folder, 'something'), 'left behind');
    expect(copyTemplateInto(folder, ['in-use.lock'])).toBe(false);
    expect(readdirSync(folder).sort()).toEqual(['in-use.lock', 'something']);

    const empty = join(work, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'in-use.lock'), '1');
    expect(copyTemplateInto(empty, ['in-use.lock'])).toBe(true);
    expect(readdirSync(empty)).toEqual(expect.arrayContaining(['PG_VERSION', 'base', 'global', 'in-use.lock']));
  });
});
