// Mutation testing of the rule and access modules (docs/testing.md): `npm run mutation`.
// Stryker 9.6 runs on Node 20 (10 needs 22); the jest runner with the tests of jest.mutation.config.js.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: { configFile: 'jest.mutation.config.js', enableFindRelatedTests: true },
  coverageAnalysis: 'perTest',
  mutate: [
    'src/common/dutch-validators.ts',
    'src/organisations/routing.ts',
    'src/identity/credentials/totp.ts',
    'src/reports/report-rules.ts',
    'src/kernel/report-codes.ts',
    'src/reports/report-access-rules.ts',
    'src/identity/permissions.ts',
    'src/webhooks/webhook-signing.ts',
    'src/attachments/file-types.ts',
    'src/attachments/zip-inspection.ts',
    'src/kernel/retention.ts',
  ],
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  // Every file must reach 90 % on its own: scripts/mutation.mjs checks each file; this is the overall floor.
  thresholds: { high: 95, low: 90, break: 90 },
  concurrency: 2,
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  ignorePatterns: ['/dist', '/data', '/coverage', '/reports', '/docs/screenshots'],
};
