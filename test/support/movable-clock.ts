import { clock } from '../../src/common/clock';

/**
 * The service's clock, moved on by a test (past an idle time, an expiry, or half a minute so that a person may sign
 * in again) and put back afterwards. Moves add up.
 */
export function movableClock(): { later: (minutes: number) => void; restore: () => void } {
  const real = clock.now;
  let shift = 0;
  return {
    later: (minutes) => {
      shift += minutes * 60_000;
      clock.now = () => new Date(real().getTime() + shift);
    },
    restore: () => {
      clock.now = real;
    },
  };
}
