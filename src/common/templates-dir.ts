import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * A folder of the installation's `templates/` (mail, pages, assets), found by walking up from this file: the same
 * from src/ (tests) as from dist/src/ (built), and in the Docker image.
 */
export function templatesDir(sub: 'mail' | 'pages' | 'assets'): string {
  for (let dir = resolve(__dirname); ; dir = dirname(dir)) {
    const candidate = join(dir, 'templates', sub);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`De map templates/${sub} is niet gevonden.`);
  }
}
