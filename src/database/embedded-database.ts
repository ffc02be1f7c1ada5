import { closeSync, existsSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Extension, PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { copyTemplateInto } from './embedded-template';

/**
 * PostgreSQL's memory settings for the embedded database (ADR 15). PGlite's defaults are a server's: 128 MB of
 * shared buffers, which PGlite touches whole when it starts, so that an idle service held some 110 MB more. One
 * session on a database of tens of megabytes needs far less; what is not in the buffers is read from the operating
 * system's file cache. The WebAssembly memory PGlite grows for a large sort or index build never shrinks again, so
 * the per-operation limits are kept small too. Real PostgreSQL (DATABASE_URL) keeps its own configuration.
 */
export const EMBEDDED_SETTINGS: Record<string, string> = {
  shared_buffers: '16MB',
  wal_buffers: '512kB',
  maintenance_work_mem: '16MB',
  work_mem: '4MB',
  temp_buffers: '2MB',
};

/**
 * The extensions the migrations create (btree_gin: the name search's index, ADR 0014). PGlite builds them in but loads
 * them only when asked; a subpath export that TypeScript's node10 resolution does not follow, hence the require.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const EXTENSIONS: Record<string, Extension> = { btree_gin: (require('@electric-sql/pglite/contrib/btree_gin') as { btree_gin: Extension }).btree_gin };

/**
 * PostgreSQL compiled to WebAssembly (PGlite), kept in a folder and served over the PostgreSQL wire protocol on a
 * loopback port, so that the service talks `pg` to it exactly as to a real server. PGlite runs one session at a
 * time: the pool must hold a single connection, and only one process may open the folder (a lock file guards it).
 */
export class EmbeddedDatabase {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    private readonly lockFile: string | null,
    readonly url: string,
  ) {}

  /** Opens (or creates) the database in `dir`, or an in-memory one when `dir` is null. */
  static async start(dir: string | null, port = 0): Promise<EmbeddedDatabase> {
    let lockFile: string | null = null;
    if (dir !== null) {
      const folder = resolve(dir);
      mkdirSync(folder, { recursive: true });
      lockFile = join(folder, 'in-use.lock');
      takeLock(lockFile);
    }
    // V8 compiles PGlite's 9 MB of WebAssembly with its baseline compiler only: optimising the hot functions again
    // (tier-up) cost more CPU than it saved over thousands of queries, and held 40 MB more (ADR 15). Only PGlite in
    // this process runs WebAssembly; a flag for the process, set before the module is compiled.
    setFlagsFromString('--liftoff-only');
    try {
      // A first start copies the cluster the build made instead of running initdb (embedded-template.ts).
      if (dir !== null) copyTemplateInto(resolve(dir), ['in-use.lock']);
      const startParams = [...PGlite.defaultStartParams, ...Object.entries(EMBEDDED_SETTINGS).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
      const db = dir === null ? new PGlite({ startParams, extensions: EXTENSIONS }) : new PGlite(resolve(dir), { startParams, extensions: EXTENSIONS });
      await db.waitReady;
      const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 1 });
      await server.start();
      const [, actualPort] = server.getServerConn().split(':');
      return new EmbeddedDatabase(db, server, lockFile, `postgres://postgres@127.0.0.1:${actualPort}/postgres`);
    } catch (error) {
      if (lockFile) unlinkSync(lockFile);
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
    if (this.lockFile && existsSync(this.lockFile)) unlinkSync(this.lockFile);
  }
}

export class DatabaseInUseError extends Error {}

function takeLock(lockFile: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(lockFile, 'utf8'));
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new DatabaseInUseError(
          `De ingebouwde database in ${lockFile.replace(/\/in-use\.lock$/, '')} is in gebruik door proces ${pid}. ` +
            'Stop dat proces eerst (de ingebouwde database bedient één proces tegelijk), of gebruik DATABASE_URL.',
        );
      }
      unlinkSync(lockFile); // left behind by a process that is gone
    }
  }
  throw new DatabaseInUseError(`Kan ${lockFile} niet vastzetten.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
