// The tests Stryker runs against each mutant (npm run mutation, stryker.config.mjs): the unit specs of the rule and
// access modules, not the browser, mail or delivery suites; no database. Each mutant reloads its spec's modules in a
// fresh registry, so this config keeps that cheap: swc without source maps (Stryker reads no stack traces), only
// src/ crawled, and specs that import only the module they test (docs/testing.md, "Scores and time").
const base = require('./jest.config.js');

// The base config's swc options (one transform for every file), without source maps.
const [transformer, baseSwc] = Object.values(base.transform)[0];
const swc = { ...baseSwc, sourceMaps: false };

module.exports = {
  ...base,
  roots: ['<rootDir>/src'],
  testMatch: [
    '<rootDir>/src/common/dutch-validators.spec.ts',
    '<rootDir>/src/organisations/routing.spec.ts',
    '<rootDir>/src/identity/credentials/totp.spec.ts',
    '<rootDir>/src/reports/report-rules.spec.ts',
    '<rootDir>/src/kernel/report-codes.spec.ts',
    '<rootDir>/src/reports/report-access-rules.spec.ts',
    '<rootDir>/src/identity/permissions.spec.ts',
    '<rootDir>/src/webhooks/webhook-signing.spec.ts',
    '<rootDir>/src/attachments/file-types.spec.ts',
    '<rootDir>/src/attachments/zip-inspection.spec.ts',
    '<rootDir>/src/kernel/retention.spec.ts',
  ],
  transform: { '^.+\\.(t|j|mj|cj)s$': [transformer, swc] },
  // Property-based tests try 25 cases per property under mutation instead of 100 (test/support/mutation-setup.ts).
  setupFiles: ['<rootDir>/test/support/mutation-setup.ts'],
  // After a spec's first failing test the mutant is killed: its other tests are skipped (test/support/mutation-environment.js).
  // An absolute path: Stryker resolves the environment itself and does not expand <rootDir>.
  testEnvironment: require('node:path').join(__dirname, 'test/support/mutation-environment.js'),
  globalSetup: undefined,
  globalTeardown: undefined,
};
