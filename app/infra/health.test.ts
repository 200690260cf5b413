import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { pool } from "../db.server";
import { addJob } from "../jobs/queue.server";
import { checkHealth } from "./health.server";

const silentServers: Server[] = [];
const silentSockets: Socket[] = [];
afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await Promise.all(silentServers.map((server) => new Promise((resolve) => server.close(resolve))));
});

describe("GET /healthz", () => {
  it("answers 200 with the database's latency and the job queue: due jobs, how late the oldest is, failed jobs", async () => {
    await addJob(pool, "health-probe", {}, { runAt: new Date(Date.now() - 90_000) });
    await addJob(pool, "health-probe", {}, { runAt: new Date(Date.now() - 5_000) });
    await addJob(pool, "health-probe", {}, { runAt: new Date(Date.now() + 3_600_000) }); // a timer: not due
    await addJob(pool, "health-probe", { dead: true }, {});
    await pool.query(`UPDATE graphile_worker._private_jobs SET attempts = max_attempts WHERE payload->>'dead' = 'true'`);

    const { loader } = await import("../routes/healthz");
    const response = await loader();
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const health = await response.json();
    expect(health).toMatchObject({ status: "ok", database: { ok: true }, jobs: { due: 2, failed: 1 } });
    expect(health.jobs.oldestDueSeconds).toBeGreaterThanOrEqual(90);
    expect(health.jobs.oldestDueSeconds).toBeLessThan(120);
  });

  it("is unavailable, with the reason, when the database refuses connections or does not answer in time", async () => {
    const refused = new pg.Pool({ connectionString: "postgres://nobody@127.0.0.1:1/none", connectionTimeoutMillis: 1_000 });
    const down = await checkHealth(refused);
    await refused.end();
    expect(down.status).toBe("unavailable");
    expect(down.database).toMatchObject({ ok: false, error: expect.stringMatching(/ECONNREFUSED|connect/) });

    // A server that accepts the connection and never speaks: the check gives up on time.
    const silent = createServer((socket) => void silentSockets.push(socket)).listen(0, "127.0.0.1");
    silentServers.push(silent);
    await new Promise((resolve) => silent.once("listening", resolve));
    const hanging = new pg.Pool({ connectionString: `postgres://nobody@127.0.0.1:${(silent.address() as AddressInfo).port}/none` });
    hanging.on("error", () => {});
    const started = Date.now();
    const stuck = await checkHealth(hanging, { timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(stuck).toMatchObject({ status: "unavailable", database: { ok: false, error: "no answer from the database within 300 ms" } });
    void hanging.end().catch(() => {});
  });
});
