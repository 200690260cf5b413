import http from "node:http";
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { runLoad } from "./load-loop";

/**
 * The load process: sends signed webhooks (orders/create with Shopify's sample body)
 * to a running app over keep-alive connections, and prints one JSON line: sent, ok,
 * failed, seconds, latencies in ms (p50/p95/p99/max).
 * Closed loop (rate 0): `concurrency` connections, each sending its next delivery when the
 * last was answered, so the rate is concurrency ÷ latency. Open loop (rate > 0): deliveries
 * leave on a fixed schedule whatever the answers, as Shopify's do, on up to `concurrency`
 * connections; latency counts from the scheduled time, so a stall shows in the figures
 * instead of silently slowing the sender (coordinated omission).
 */
const [target, totalArg, concurrencyArg, shop, secret, fixturesDir, idOffsetArg, rateArg] = process.argv.slice(2);
const idOffset = Number(idOffsetArg ?? 0);
const total = Number(totalArg);
const concurrency = Number(concurrencyArg);
const rate = Number(rateArg ?? 0);
const url = new URL(target);
const sample = JSON.parse(readFileSync(path.join(fixturesDir, "webhooks", "orders__create.json"), "utf8"));
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

// Every delivery is built and signed before the clock starts: the load process shares
// the machine's two cores with the app and PostgreSQL, so it does as little as possible
// while measuring (write prepared bytes, read the status, take the time).
interface Prepared { body: Buffer; headers: Record<string, string | number> }
const prepared: Prepared[] = Array.from({ length: total }, (_, index) => {
  // Each order from its own customer, as in a real shop: one customer for every order
  // would serialise the baseline's (and the worker's) transactions on that customer's row.
  const customer = sample.customer ? { ...sample.customer, id: 5_000_000 + idOffset + index } : sample.customer;
  const body = Buffer.from(JSON.stringify({ ...sample, id: 1_000_000 + idOffset + index, name: `#B${idOffset + index}`, customer, updated_at: new Date().toISOString() }));
  return {
    body,
    headers: {
      "content-type": "application/json",
      "content-length": body.length,
      "x-shopify-topic": "orders/create",
      "x-shopify-hmac-sha256": createHmac("sha256", secret).update(body).digest("base64"),
      "x-shopify-shop-domain": shop,
      "x-shopify-api-version": "2026-10",
      "x-shopify-webhook-id": randomUUID(),
      "x-shopify-event-id": randomUUID(),
      "x-shopify-triggered-at": new Date().toISOString(),
    },
  };
});

function send(index: number, started = process.hrtime.bigint()): Promise<{ status: number; ms: number }> {
  const { body, headers } = prepared[index];
  return new Promise((resolve) => {
    const request = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers, agent }, (response) => {
      response.resume();
      response.on("end", () => resolve({ status: response.statusCode ?? 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    });
    request.on("error", () => resolve({ status: 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    request.end(body);
  });
}

// Connections are opened before the clock starts, as a sender that keeps them alive has
// them already: in the open loop that is up to `concurrency` of them at once. Each carries
// one unsigned POST to the webhook route first (answered 401, nothing stored): with a GET
// only, the first deliveries on 128 such connections were still slower, and the phase
// began 30-40 ms behind (p50 32-45 ms in its first 100 ms, 10 ms with this).
await Promise.all(
  Array.from({ length: rate > 0 ? concurrency : 0 }, () =>
    new Promise<void>((resolve) => {
      http
        .request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "content-type": "application/json", "x-shopify-topic": "orders/create" }, agent }, (response) => response.resume().on("end", resolve))
        .on("error", () => resolve())
        .end("{}");
    }),
  ),
);

// The sender's own event loop: on two shared cores it too waits for a core now and then,
// and every answer that arrives meanwhile is timed late by that much.
const senderDelay = monitorEventLoopDelay({ resolution: 2 });
senderDelay.enable();
const cpuBefore = process.cpuUsage();
let ok = 0;
let failed = 0;
const started = process.hrtime.bigint();
const record = (result: { status: number; ms: number }) => {
  if (result.status === 200) ok++;
  else failed++;
};
// Each answer's latency by its place in the schedule: sorted for the percentiles, and in
// the open loop read in order to say when the slow answers came (one stall, or spread).
const latencyByIndex = new Float64Array(total);
await runLoad({
  total, rate, concurrency,
  send: (index, due) => send(index, due).then((result) => { latencyByIndex[index] = result.ms; return result; }),
  record,
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const latencies = Float64Array.from(latencyByIndex).sort();
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
const cpu = process.cpuUsage(cpuBefore);
// Quarter-seconds of the schedule in which an answer took over 50 ms: when (seconds into
// the phase), how many were sent in it, the median and the slowest.
const slowQuarters: Array<{ at: number; sent: number; p50: number; max: number }> = [];
if (rate > 0) {
  const perQuarter = Math.max(1, Math.round(rate / 4));
  for (let first = 0; first < total; first += perQuarter) {
    const quarter = Array.from(latencyByIndex.subarray(first, Math.min(total, first + perQuarter))).sort((a, b) => a - b);
    const max = quarter[quarter.length - 1];
    if (max > 50) slowQuarters.push({ at: first / rate, sent: quarter.length, p50: quarter[Math.floor(quarter.length / 2)], max });
  }
}
senderDelay.disable();
console.log(
  JSON.stringify({
    sent: total, ok, failed, seconds, loadCpuSeconds: (cpu.user + cpu.system) / 1e6,
    p50: pct(50), p95: pct(95), p99: pct(99), max: latencies[latencies.length - 1],
    senderDelayP99: senderDelay.percentile(99) / 1e6, senderDelayMax: senderDelay.max / 1e6,
    slowQuarters,
  }),
);
agent.destroy();
