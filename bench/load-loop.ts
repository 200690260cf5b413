/**
 * How a load process paces its requests (bench:webhooks, bench:recs).
 * Closed loop (rate 0): `concurrency` senders, each sending its next request when the
 * last was answered: the most the app serves at that concurrency. Open loop (rate > 0):
 * requests leave on a fixed schedule whatever the answers, and `send` gets each one's
 * scheduled time to count latency from, so a stall shows in the figures instead of
 * silently slowing the sender (coordinated omission).
 */
export async function runLoad<T>(options: {
  total: number;
  rate: number;
  concurrency: number;
  send: (index: number, scheduledAt: bigint | undefined) => Promise<T>;
  record: (result: T) => void;
}): Promise<void> {
  const { total, rate, concurrency, send, record } = options;
  if (rate > 0) {
    const started = process.hrtime.bigint();
    const pending: Array<Promise<void>> = [];
    const intervalNs = BigInt(Math.round(1e9 / rate));
    for (let i = 0; i < total; i++) {
      const due = started + intervalNs * BigInt(i);
      const wait = Number(due - process.hrtime.bigint()) / 1e6;
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      pending.push(send(i, due).then(record));
    }
    await Promise.all(pending);
    return;
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) record(await send(next++, undefined));
    }),
  );
}
