#!/usr/bin/env node
// The API contract, checked the way CI runs it (docs/api-contract.md):
//   node scripts/contract.mjs check      the live document equals the committed snapshot docs/api/openapi-v<major>.json,
//                                         its version has a changelog entry, Redocly (recommended, strict) and Spectral
//                                         pass, and no earlier snapshot of this major version is broken by it
//   node scripts/contract.mjs snapshot   writes the live document as the snapshot, after the same breaking-change check
//   node scripts/contract.mjs diff <base.json> <revision.json>
//                                         only the breaking-change rule: exit 1 when the revision changes the base more
//                                         than its info.version admits (removed operation or field, newly required
//                                         field, narrowed enum, ... need a new major version)
// check and snapshot need `npm run build` first (npm run contract:check and contract:snapshot do it).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const bin = (name) => join(root, 'node_modules', '.bin', name);
const quiet = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_NOTIFICATIONS: 'true', NO_UPDATE_NOTIFIER: '1' };
const step = (text) => console.log(`\n-- ${text}`);

/** The document as the running application serves it at /api/v1/openapi.json (embedded database, default settings). */
async function liveDocument() {
  const { createApp } = require(join(root, 'dist/src/bootstrap.js'));
  const { loadConfig } = require(join(root, 'dist/src/config/app-config.js'));
  const dataDir = mkdtempSync(join(tmpdir(), 'vzl-contract-'));
  const env = { DATA_DIR: dataDir, MAIL_WORKER: 'false', LOG_LEVEL: 'error', MIGRATIONS_RUN: 'false' };
  const app = await createApp(loadConfig(env), { logger: false });
  try {
    await app.listen(0, '127.0.0.1');
    const res = await fetch(`http://127.0.0.1:${app.getHttpServer().address().port}/api/v1/openapi.json`);
    if (res.status !== 200) throw new Error(`/api/v1/openapi.json antwoordde ${res.status}`);
    return `${JSON.stringify(await res.json(), null, 2)}\n`;
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const snapshotOf = (doc) => join(root, 'docs', 'api', `openapi-v${JSON.parse(doc).info.version.split('.')[0]}.json`);

/** redocly diff: exit 1 when `revision` changes `base` more than its info.version says (a breaking change needs a new major). */
function versionKeeps(baseText, revisionFile, label) {
  const dir = mkdtempSync(join(tmpdir(), 'vzl-contract-'));
  try {
    const base = join(dir, 'base.json');
    writeFileSync(base, baseText);
    // diff-recommended: Redocly's rules for rating a change major (breaking), minor (addition) or patch.
    const config = join(dir, 'redocly.yaml');
    writeFileSync(config, 'extends:\n  - diff-recommended\n');
    const args = ['diff', base, revisionFile, '--config', config, '--check-version', '--fail-on', 'none'];
    const run = spawnSync(bin('redocly'), args, { env: quiet, encoding: 'utf8' });
    const out = `${run.stdout}${run.stderr}`.split('\n').filter((l) => !/[║╔╚]/.test(l)).join('\n').trim();
    // Every change of every earlier version, line by line, is thousands of lines in CI's log: the counts when it
    // passes, all of it when it does not.
    const summary = out.split('\n').filter((l) => /\d+ major, \d+ minor, \d+ patch|Diff passed/.test(l));
    console.log(`${label}:\n${run.status === 0 ? summary.join('\n') : out}`);
    return run.status === 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every earlier committed version of a snapshot file (one per distinct content), newest first. */
function history(file) {
  const path = relative(root, file);
  try {
    const commits = execFileSync('git', ['log', '--format=%H', '--', path], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
    const seen = new Set();
    return commits
      .map((c) => ({ commit: c.slice(0, 10), text: execFileSync('git', ['show', `${c}:${path}`], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 }) }))
      .filter(({ text }) => !seen.has(text) && seen.add(text));
  } catch {
    console.log('(geen git-geschiedenis beschikbaar: alleen de vastgelegde snapshot wordt vergeleken)');
    return [];
  }
}

function lint(file) {
  step('Redocly lint (recommended-strict: geen fouten en geen waarschuwingen; uitzonderingen in docs/api/.redocly.lint-ignore.yaml)');
  const redocly = spawnSync(bin('redocly'), ['lint', relative(root, file), '--config', 'docs/api/redocly.yaml'], { cwd: root, env: quiet, encoding: 'utf8' });
  console.log(`${redocly.stdout}${redocly.stderr}`.split('\n').filter((l) => !/[║╔╚]/.test(l)).join('\n').trim());
  step('Spectral lint (spectral:oas met de regels die de API Design Rules aanzetten; .spectral.yaml)');
  const spectral = spawnSync(bin('spectral'), ['lint', relative(root, file), '-r', '.spectral.yaml', '--fail-severity=hint', '--display-only-failures'], { cwd: root, env: quiet, encoding: 'utf8' });
  console.log(`${spectral.stdout}${spectral.stderr}`.trim() || 'Spectral: geen bevindingen');
  return redocly.status === 0 && spectral.status === 0;
}

async function main(command) {
  step('Het document zoals de applicatie het publiceert');
  const live = await liveDocument();
  const version = JSON.parse(live).info.version;
  const snapshot = snapshotOf(live);
  console.log(`info.version ${version}; snapshot ${relative(root, snapshot)}`);
  const dir = mkdtempSync(join(tmpdir(), 'vzl-contract-'));
  const liveFile = join(dir, 'openapi.json');
  writeFileSync(liveFile, live);
  let ok = true;
  try {
    step('Brekende wijzigingen ten opzichte van eerder vastgelegde versies van deze hoofdversie');
    const earlier = history(snapshot);
    if (existsSync(snapshot) && !earlier.some(({ text }) => text === readFileSync(snapshot, 'utf8'))) earlier.unshift({ commit: 'werkmap', text: readFileSync(snapshot, 'utf8') });
    for (const { commit, text } of earlier) ok = versionKeeps(text, liveFile, `tegen ${JSON.parse(text).info.version} (${commit})`) && ok;
    if (earlier.length === 0) console.log('Eerste snapshot van deze hoofdversie: niets om mee te vergelijken.');

    if (command === 'snapshot') {
      if (!ok) throw new Error('Niet vastgelegd: verhoog info.version (API_VERSION in src/openapi/openapi.ts) zoals hierboven gevraagd.');
      writeFileSync(snapshot, live);
      console.log(`\nVastgelegd: ${relative(root, snapshot)}. Beschrijf ${version} in docs/api-changelog.md.`);
      return;
    }

    step('De vastgelegde snapshot is het document dat de applicatie publiceert');
    if (!existsSync(snapshot) || readFileSync(snapshot, 'utf8') !== live) {
      ok = false;
      console.log(`${relative(root, snapshot)} wijkt af van het gepubliceerde document: verhoog zo nodig info.version, draai npm run contract:snapshot en beschrijf de wijziging in docs/api-changelog.md.`);
    } else console.log('gelijk');

    step('docs/api-changelog.md beschrijft deze versie');
    const changelog = readFileSync(join(root, 'docs', 'api-changelog.md'), 'utf8');
    if (!new RegExp(`^## ${version.replace(/\./g, '\\.')}\\b`, 'm').test(changelog)) {
      ok = false;
      console.log(`Geen kop "## ${version}" in docs/api-changelog.md.`);
    } else console.log(`## ${version} staat erin`);

    ok = lint(existsSync(snapshot) ? snapshot : liveFile) && ok;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (!ok) {
    console.error('\nHet API-contract klopt niet (zie hierboven).');
    process.exit(1);
  }
  console.log('\nHet API-contract klopt.');
}

const command = process.argv[2];
if (command === 'diff' && process.argv.length === 5) {
  process.exit(versionKeeps(readFileSync(process.argv[3], 'utf8'), process.argv[4], `${process.argv[3]} -> ${process.argv[4]}`) ? 0 : 1);
}
if (!['check', 'snapshot'].includes(command)) {
  console.error('Gebruik: node scripts/contract.mjs check|snapshot|diff <base.json> <revision.json>');
  process.exit(2);
}
main(command)
  .then(() => process.exit(0))
  .catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
