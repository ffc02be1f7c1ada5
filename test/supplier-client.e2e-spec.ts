import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { reportBody, TestApp, TestSchool } from './support/test-app';

/**
 * What a supplier does with the published contract: generate a TypeScript client from the live
 * /api/v1/openapi.json with openapi-typescript, compile a program on it (strict), and run it against the service.
 */
describe('a supplier client generated from the live document', () => {
  let t: TestApp;
  let school: TestSchool;
  let baseUrl: string;
  const root = join(__dirname, '..');
  const work = join(root, 'dist', 'supplier-check');

  beforeAll(async () => {
    t = await TestApp.start();
    school = await t.newSchool();
    await new Promise<void>((resolve) => t.http.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(t.http.address() as AddressInfo).port}/api/v1`;
  });
  afterAll(async () => {
    await t.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('generates (openapi-typescript CLI), type-checks (tsc --strict) and runs a program that files, reads, follows the changes and handles a 422', async () => {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(join(work, 'generated'), { recursive: true });
    // Asynchronously: the service answering the program runs in this process.
    const run = async (file: string, args: string[]) => {
      try {
        return (await promisify(execFile)(process.execPath, [file, ...args], { cwd: work, encoding: 'utf8' })).stdout;
      } catch (error) {
        const e = error as { stdout?: string; stderr?: string };
        throw new Error(`${file} ${args.join(' ')}:\n${e.stdout}${e.stderr}`);
      }
    };

    writeFileSync(join(work, 'openapi.json'), await (await fetch(`${baseUrl}/openapi.json`)).text());
    await run(join(root, 'node_modules', 'openapi-typescript', 'bin', 'cli.js'), ['openapi.json', '--output', 'generated/verzuimloket.ts']);
    const generated = readFileSync(join(work, 'generated', 'verzuimloket.ts'), 'utf8');
    // The exactness the issue was about: no property typed as an empty object, nullable values as "| null".
    expect(generated).not.toMatch(/^\s+[\w"-]+\??: .*Record<string, never>/m);
    expect(generated).toMatch(/closedAt: string \| null;/);
    expect(generated).toMatch(/lessonHours: number\[\];/);

    copyFileSync(join(__dirname, 'fixtures', 'supplier', 'supplier.ts'), join(work, 'supplier.ts'));
    writeFileSync(join(work, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(
      join(work, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, target: 'es2022', module: 'esnext', moduleResolution: 'bundler', lib: ['es2023', 'dom'], skipLibCheck: true, types: [], outDir: 'out' },
        files: ['supplier.ts'],
      }),
    );
    await run(join(root, 'node_modules', 'typescript', 'bin', 'tsc'), ['-p', 'tsconfig.json']);

    const input = JSON.stringify(reportBody(school));
    writeFileSync(
      join(work, 'run.mjs'),
      `import { fileReadFollowAndRefuse } from './out/supplier.js';\n` +
        `const [baseUrl, key, report] = process.argv.slice(2);\n` +
        `console.log(JSON.stringify(await fileReadFollowAndRefuse(baseUrl, key, JSON.parse(report), 'leverancier-1')));\n`,
    );
    const outcome = JSON.parse(await run(join(work, 'run.mjs'), [baseUrl, school.key, input]));
    expect(outcome.summary).toMatchObject({ status: 'GEREGISTREERD', receiver: 'GM0363', closedAt: null, hoursMissed: 18 });
    expect(outcome.changes.map((c: { reportNumber: number; type: string }) => [c.reportNumber, c.type])).toEqual([[outcome.summary.number, 'INGEDIEND']]);
    expect(outcome.cursor).toEqual(expect.any(String));
    expect(outcome.refusal).toEqual({ status: 422, code: 'VALIDATION_FAILED', fields: [{ field: 'pupil.pgn', code: 'INVALID_PGN' }] });
  });
});
