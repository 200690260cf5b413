import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot } from "./postgres.server";
import { freePort } from "../../tests/support/free-port";

let dataDir: string | null = null;
afterEach(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

describe("stopping on Ctrl-C", () => {
  it("npm run worker on the embedded PostgreSQL: the worker and its connections stop first, PostgreSQL last, exit 0", async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "pathwise-ctrl-c-pg-"));
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PATHWISE_PG_DIR: dataDir, PATHWISE_PG_PORT: String(port), NODE_ENV: "development" };
    delete env.DATABASE_URL;
    // Its own process group, as a terminal runs it: Ctrl-C signals the whole group.
    const worker = spawn(path.join(repoRoot(), "node_modules", ".bin", "tsx"), ["server/worker.ts"], { cwd: repoRoot(), env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    worker.stdout.on("data", (chunk) => (output += chunk));
    worker.stderr.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => worker.once("exit", (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setInterval(() => output.includes("Pathwise worker running") && (clearInterval(timer), resolve()), 100);
        void exited.then((code) => (clearInterval(timer), reject(new Error(`worker exited (${code}) before running:\n${output}`))));
      });
      expect(await listening(port)).toBe(true);
      process.kill(-worker.pid!, "SIGINT");
      expect(await exited).toBe(0);
    } finally {
      if (worker.exitCode === null) process.kill(-worker.pid!, "SIGKILL");
    }
    // Before: PostgreSQL took the terminal's Ctrl-C too, cut the worker's connections while it released its jobs, and the stop crashed.
    expect(output).not.toMatch(/terminating connection|Connection terminated|shutdown\] failed/);
    expect(await listening(port)).toBe(false);
  }, 90_000);
});
