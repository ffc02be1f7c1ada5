import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { API_VERSION } from '../src/openapi/openapi';

/**
 * The breaking-change rule of `npm run contract:check` (scripts/contract.mjs, Redocly's diff): a change that can
 * break a client fails unless the major version changes; an addition needs a minor version, a new text a patch.
 */
type Doc = {
  info: { version: string };
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }>; required: string[] }> };
};

describe('the breaking-change check of the contract', () => {
  jest.setTimeout(240_000); // every case runs the checker as its own process, as CI does
  const root = join(__dirname, '..');
  const snapshot = join(root, 'docs', 'api', `openapi-v${API_VERSION.split('.')[0]}.json`);
  const dir = mkdtempSync(join(tmpdir(), 'vzl-versioning-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const base = (): Doc => JSON.parse(readFileSync(snapshot, 'utf8'));
  /** What `contract.mjs diff` printed last. */
  let printed = '';
  /** Exit code of `contract.mjs diff` from the committed snapshot to a changed copy. */
  const verdict = async (change: (d: Doc) => void, version?: string): Promise<number> => {
    const doc = base();
    change(doc);
    if (version) doc.info.version = version;
    const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(doc));
    try {
      printed = (await promisify(execFile)(process.execPath, [join(root, 'scripts', 'contract.mjs'), 'diff', snapshot, file], { encoding: 'utf8' })).stdout;
      return 0;
    } catch (error) {
      printed = (error as { stdout: string }).stdout;
      return (error as { code: number }).code;
    }
  };
  const major = `${Number(API_VERSION.split('.')[0]) + 1}.0.0`;
  const minor = API_VERSION.replace(/^(\d+)\.(\d+)\.\d+$/, (_, a, b) => `${a}.${Number(b) + 1}.0`);
  const patch = API_VERSION.replace(/\d+$/, (p) => String(Number(p) + 1));

  it('the published document is the committed snapshot of its major version', () => {
    expect(base().info.version).toBe(API_VERSION);
  });

  it('fails a removed operation unless the major version changes', async () => {
    const removeChanges = (d: Doc) => delete d.paths['/changes'];
    expect(await verdict(removeChanges)).toBe(1);
    expect(await verdict(removeChanges, minor)).toBe(1);
    // A failure names the change; a pass prints the counts alone (CI's log had every change of every version).
    expect(printed).toMatch(/changes/);
    expect(await verdict(removeChanges, major)).toBe(0);
    expect(printed).toMatch(/\d+ major, \d+ minor, \d+ patch/);
    expect(printed).not.toMatch(/removed/);
  });

  it('fails a newly required field in a request, a narrowed enum and a removed field in an answer', async () => {
    expect(await verdict((d) => d.components.schemas.CreateReportInput.required.push('schoolAction'), minor)).toBe(1);
    expect(await verdict((d) => d.components.schemas.CreateReportInput.properties.kind.enum!.splice(2, 1), minor)).toBe(1);
    expect(
      await verdict((d) => {
        delete d.components.schemas.ReportView.properties.closedAt;
        d.components.schemas.ReportView.required = d.components.schemas.ReportView.required.filter((p) => p !== 'closedAt');
      }, minor),
    ).toBe(1);
  });

  it('asks a minor version for an addition and a patch for a new text, and passes an unchanged document', async () => {
    const addField = (d: Doc) => (d.components.schemas.ReportView.properties.remark = { type: 'string' } as never);
    expect(await verdict(addField)).toBe(1);
    expect(await verdict(addField, minor)).toBe(0);
    const newText = (d: Doc) => ((d.paths['/changes'].get as { description: string }).description = 'Anders gezegd.');
    expect(await verdict(newText)).toBe(1);
    expect(await verdict(newText, patch)).toBe(0);
    expect(await verdict(() => undefined)).toBe(0);
  });
});
