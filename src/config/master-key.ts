import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The 32-byte master key from which the PGN keys and the token-seed key are derived (HKDF, a purpose each):
 * PGN_ENCRYPTION_KEY, or for the embedded default run one generated once into the data folder.
 */
export function masterKey(configuredKey: string | undefined, dataDir: string): Buffer {
  if (configuredKey) return Buffer.from(configuredKey, 'base64');
  const file = join(resolve(dataDir), 'pgn.key');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}
