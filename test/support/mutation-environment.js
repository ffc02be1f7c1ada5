// The test environment of the mutation run (jest.mutation.config.js): once a test of a file has failed, the mutant is
// killed, so the file's remaining tests are skipped instead of run. Jest's own `bail` stops only between files, and a
// static mutant (a table or pattern read when the module loads) runs every test of its specs: without this each one ran
// all 185 tests of the validators' specs although the first failure had already decided it. A surviving mutant still
// runs every test, so what Stryker reports does not change, only how long it takes to learn it.
// A CommonJS file: Stryker loads the environment with require() itself, without jest's transform.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { TestEnvironment } = require('jest-environment-node');

class StopAtFirstFailureEnvironment extends TestEnvironment {
  failed = false;

  async handleTestEvent(event) {
    if (event.name === 'test_fn_failure' || event.name === 'hook_failure') this.failed = true;
    // jest-circus announces a test before it decides whether to skip it: marking it here skips it.
    else if (event.name === 'test_start' && this.failed) event.test.mode = 'skip';
  }
}

module.exports = StopAtFirstFailureEnvironment;
