export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every 50 ms until it gives a value, or fails naming `what` after `ms`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`Wachten op ${what} duurde langer dan ${ms} ms`);
    await sleep(50);
  }
}

/**
 * Waits until the changes feed hands out every event written so far. The feed holds back an event while any
 * transaction on the server that began before it still runs (ADR 2), and on a shared test server that includes
 * another test file's, in another database: a test that compares the feed with the table waits for this first.
 */
export async function feedCaughtUp(db: { query(sql: string): Promise<{ caught_up: boolean }[]> }): Promise<void> {
  await until('the changes feed to catch up', async () => {
    const [{ caught_up }] = await db.query(
      'SELECT coalesce(max(txid), 0) < pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS caught_up FROM report_event',
    );
    return caught_up;
  });
}
