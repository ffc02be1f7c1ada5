// The tests Stryker runs against each mutant (npm run mutation, stryker.config.mjs): the unit specs of the rule and
// access modules, not the browser, mail or delivery suites. Same transform as jest.config.js; no database.
const base = require('./jest.config.js');

module.exports = {
  ...base,
  testMatch: [
    '<rootDir>/src/common/dutch-validators.spec.ts',
    '<rootDir>/src/organisations/routing.spec.ts',
    '<rootDir>/src/identity/credentials/totp.spec.ts',
    '<rootDir>/src/reports/report-rules.spec.ts',
    '<rootDir>/src/kernel/report-codes.spec.ts',
    '<rootDir>/src/reports/report-access.spec.ts',
    '<rootDir>/src/identity/permissions.spec.ts',
    '<rootDir>/src/webhooks/webhook-rules.spec.ts',
  ],
  // Property-based tests try 25 cases per property under mutation instead of 100 (test/support/mutation-setup.ts).
  setupFiles: ['<rootDir>/test/support/mutation-setup.ts'],
  globalSetup: undefined,
  globalTeardown: undefined,
};
