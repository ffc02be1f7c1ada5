import fc from 'fast-check';

/**
 * Under mutation testing each mutant reruns the tests that reach it: 25 cases per property (fast-check's default is 100)
 * keeps a run of the whole set within minutes. The examples written out in the specs are unchanged, and a mutant that
 * only one case in a hundred would reveal is a sign that an example is missing, not that more random cases are needed.
 * A failing property stops at its first counterexample (`endOnFailure`): the mutant is killed, shrinking it tells nobody anything.
 */
fc.configureGlobal({ numRuns: 25, endOnFailure: true });
