/**
 * The time the sign-in rules run on. One object, so that tests can move it forward (a code from the next time step,
 * an idle session) instead of waiting; the service never changes it.
 */
export const clock = {
  now: (): Date => new Date(),
};
