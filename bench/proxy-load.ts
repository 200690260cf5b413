import http from "node:http";
import { signAppProxyParams } from "../simulator/auth";
import { runLoad } from "./load-loop";

// Load process for bench:recs: signed app proxy requests with random carts; prints one JSON line.
// Closed loop (rate 0): `concurrency` connections, each sending its next request when the
// last answered: the most the app can serve. Open loop (rate > 0): requests leave on a fixed
// schedule whatever the answers, and latency counts from the scheduled time, so a stall
// shows in the figures instead of silently slowing the sender (coordinated omission).
const [target, totalArg, concurrencyArg, shop, secret, productsArg, rateArg] = process.argv.slice(2);
const total = Number(totalArg);
const concurrency = Number(concurrencyArg);
const rate = Number(rateArg ?? 0);
const products = Number(productsArg);
const url = new URL(target);
// Open loop: as many connections as requests in flight (shoppers do not queue behind each other).
const agent = new http.Agent({ keepAlive: true, maxSockets: rate > 0 ? 64 : concurrency });
let seed = 99;
const random = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 4294967296;
};

function path(): string {
  const size = 1 + Math.floor(random() * 4);
  const ids = Array.from({ length: size }, () => String(Math.floor(products * random() ** 2)));
  const params = signAppProxyParams({ product_ids: ids.join(","), limit: "4", shop, logged_in_customer_id: "", path_prefix: "/apps/pathwise", timestamp: String(Math.floor(Date.now() / 1000)) }, secret);
  return `/apps/pathwise/recommendations?${new URLSearchParams(params as Record<string, string>).toString()}`;
}

// Signed before the clock starts: signing is the load process's work, not the app's.
const paths = Array.from({ length: total }, () => path());

function send(requestPath: string, started = process.hrtime.bigint()): Promise<{ status: number; ms: number }> {
  return new Promise((resolve) => {
    const request = http.request({ host: url.hostname, port: url.port, path: requestPath, method: "GET", agent }, (response) => {
      response.resume();
      response.on("end", () => resolve({ status: response.statusCode ?? 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    });
    request.on("error", () => resolve({ status: 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    request.end();
  });
}

const latencies: number[] = [];
let ok = 0;
const started = process.hrtime.bigint();
const record = (result: { status: number; ms: number }) => {
  latencies.push(result.ms);
  if (result.status === 200) ok++;
};
await runLoad({ total, rate, concurrency, send: (index, due) => send(paths[index], due), record });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
console.log(JSON.stringify({ sent: latencies.length, ok, seconds, p50: pct(50), p95: pct(95), p99: pct(99), max: latencies[latencies.length - 1] }));
agent.destroy();
