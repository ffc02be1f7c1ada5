import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/**
 * The embedded database's empty cluster, made once per PGlite version (ADR 15). PGlite's initdb, run in
 * WebAssembly, costs about 9 s of CPU and briefly some 900 MB of memory (it builds the cluster in a second PGlite in
 * memory and copies it over). The build (`postbuild`) runs it once into node_modules/.cache/verzuimloket/ and a
 * first start copies that folder, which takes milliseconds. Without the template (a build that did not make it, a
 * read-only cache) a first start runs initdb itself, as before.
 */
// The package does not export its package.json; it sits one folder above its entry point (dist/index.cjs).
const PGLITE_PACKAGE = join(dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');

export function templateDir(): string {
  const { version } = JSON.parse(readFileSync(PGLITE_PACKAGE, 'utf8')) as { version: string };
  return join(dirname(PGLITE_PACKAGE), '..', '..', '.cache', 'verzuimloket', `pglite-${version}-initdb`);
}

/** The template, when it was made; a folder only appears whole (made under another name, then renamed). */
export function availableTemplate(): string | null {
  const dir = templateDir();
  return existsSync(join(dir, 'PG_VERSION')) ? dir : null;
}

/**
 * Copies the template into `folder` when that folder holds no database yet (nothing but `keep`, the lock file).
 * PG_VERSION, by which PGlite recognises a cluster, is copied last, so an interrupted copy is not taken for one.
 * Returns whether it copied.
 */
export function copyTemplateInto(folder: string, keep: string[]): boolean {
  const template = availableTemplate();
  if (!template || readdirSync(folder).some((name) => !keep.includes(name))) return false;
  try {
    cpSync(template, folder, { recursive: true, filter: (source) => source !== join(template, 'PG_VERSION') });
    copyFileSync(join(template, 'PG_VERSION'), join(folder, 'PG_VERSION'));
    return true;
  } catch (error) {
    for (const name of readdirSync(folder)) if (!keep.includes(name)) rmSync(join(folder, name), { recursive: true, force: true });
    throw error;
  }
}

/** Makes the template unless it is there: initdb into a folder of its own, closed cleanly, then renamed into place. */
export async function makeTemplate(): Promise<'made' | 'present'> {
  const dir = templateDir();
  if (availableTemplate()) return 'present';
  mkdirSync(dirname(dir), { recursive: true });
  const work = `${dir}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  const db = new PGlite(work);
  try {
    await db.waitReady;
  } finally {
    await db.close();
  }
  try {
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    if (!availableTemplate()) throw error; // else another build made it at the same time
  }
  return 'made';
}

if (require.main === module) {
  const started = Date.now();
  makeTemplate().then(
    (outcome) => {
      if (outcome === 'made') process.stdout.write(`Sjabloon voor de ingebouwde database gemaakt in ${((Date.now() - started) / 1000).toFixed(1)} s: ${templateDir()}\n`);
    },
    (error: unknown) => {
      // Not fatal: a first start without the template runs initdb itself.
      process.stderr.write(`Sjabloon voor de ingebouwde database niet gemaakt (${(error as Error)?.message}); de eerste start duurt dan langer.\n`);
    },
  );
}
