#!/usr/bin/env node
// npm run mutation: Stryker on the rule and access modules (stryker.config.mjs), then every file on its own must
// reach THRESHOLD per cent, labels excluded (Stryker disable comments). docs/testing.md says how to read a survivor.
// Extra arguments go to Stryker, e.g. `npm run mutation -- --mutate src/organisations/routing.ts`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const THRESHOLD = 90;
const started = Date.now();
const run = spawnSync('npx', ['stryker', 'run', ...process.argv.slice(2)], { stdio: 'inherit' });
const minutes = ((Date.now() - started) / 60000).toFixed(1);

let report;
try {
  report = JSON.parse(readFileSync('reports/mutation/mutation.json', 'utf8'));
} catch {
  console.error(`Stryker gave no report (exit ${run.status}).`);
  process.exit(1);
}
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const rows = Object.entries(report.files).map(([file, { mutants }]) => {
  const detected = mutants.filter((m) => DETECTED.has(m.status)).length;
  const undetected = mutants.filter((m) => UNDETECTED.has(m.status));
  const ignored = mutants.filter((m) => m.status === 'Ignored').length;
  const valid = detected + undetected.length;
  const score = valid === 0 ? 100 : (100 * detected) / valid;
  return { file, mutants: valid, ignored, survived: undetected.length, score, undetected };
});
console.log(`\n| file | mutants | disabled (labels, equivalents) | undetected | score |\n|---|---|---|---|---|`);
for (const r of rows) console.log(`| ${r.file} | ${r.mutants} | ${r.ignored} | ${r.survived} | ${r.score.toFixed(1)} % |`);
console.log(`\n${minutes} minutes.`);
const failing = rows.filter((r) => r.score < THRESHOLD);
for (const r of failing) {
  console.error(`\n${r.file}: ${r.score.toFixed(1)} % is below ${THRESHOLD} %. Undetected:`);
  for (const m of r.undetected) console.error(`  line ${m.location.start.line}: ${m.mutatorName} ${JSON.stringify(m.replacement ?? '')} (${m.status})`);
}
process.exit(failing.length > 0 || run.status !== 0 ? 1 : 0);
