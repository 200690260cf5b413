import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "../../app/db.server";
import { ingestSendgridEvents } from "../../app/email/event-ingest.server";
import { installShop } from "../support/shopify";
import { startSendgridFake, type SendgridFake } from "./support/sendgrid-fake";
import { customer } from "./support/email-fixtures";

/**
 * Kill -9 the sender at random points across many sends, start it again, repeat; then
 * check at the SendGrid fake that no (person, step) got two emails, and that every
 * planned send either reached the fake or is recorded as "uncertain".
 */
const shop = "crash-test.myshopify.com";
const RECIPIENTS = 300;
const STEPS = 3;
const KILL_ROUNDS = 10;
const script = path.resolve(import.meta.dirname, "support", "crash-sender.ts");
let fake: SendgridFake;

beforeAll(async () => {
  fake = await startSendgridFake();
  await installShop(shop, { timezone: "UTC" });
  // Smart sending off: every step of every person is meant to go out.
  await prisma.shopEmailSettings.create({ data: { shop, quietHoursStart: null, quietHoursEnd: null, smartSendingHours: 0 } });
  for (let r = 0; r < RECIPIENTS; r++) await customer(shop, `c${r}`, `person${r}@example.com`);
});
afterAll(async () => {
  await fake.close();
});

function runSender(mode: "single" | "batch", killAfterMs: number | null): Promise<{ killed: boolean; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      env: {
        ...process.env,
        SENDGRID_API_KEY: fake.apiKey,
        SENDGRID_API_ORIGIN: fake.url,
        CRASH_SHOP: shop,
        CRASH_RECIPIENTS: String(RECIPIENTS),
        CRASH_STEPS: String(STEPS),
        CRASH_MODE: mode,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let killed = false;
    child.stdout.on("data", (chunk) => {
      output += chunk;
      if (killAfterMs !== null && output.includes("ready") && !killed) {
        killed = true;
        setTimeout(() => child.kill("SIGKILL"), killAfterMs);
      }
    });
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve({ killed: signal === "SIGKILL", output: output + (code ? ` exit ${code}` : "") }));
  });
}

describe("crash safety", () => {
  it("SIGKILL at random points never emails a person the same step twice and loses nothing but recorded uncertain sends", async () => {
    const started = Date.now();
    fake.chaos({ failRate: 0.05, dropRate: 0.02, latencyMs: 15 });
    let kills = 0;
    for (let round = 0; round < KILL_ROUNDS; round++) {
      const result = await runSender(round % 2 ? "batch" : "single", 40 + Math.floor(Math.random() * 400));
      if (result.killed) kills++;
      else expect(result.output).toContain("done");
    }
    // Then runs without kills (and without injected failures) until nothing is left to do: what a retrying queue does.
    fake.chaos(null);
    for (let round = 0; round < 3; round++) {
      const final = await runSender("single", null);
      expect(final.output).toContain("done");
    }

    const planned = RECIPIENTS * STEPS;
    const rows = await prisma.emailMessage.findMany({ where: { shop }, select: { id: true, sendKey: true, email: true, stepKey: true, status: true } });
    expect(rows).toHaveLength(planned);

    // 1. Never twice: per message id and per (person, step) at the provider.
    const perMessage = new Map<string, number>();
    const perPersonStep = new Map<string, number>();
    for (const message of fake.messages) {
      perMessage.set(message.customArgs.pathwise_message_id, (perMessage.get(message.customArgs.pathwise_message_id) ?? 0) + 1);
      const key = `${message.to}|${message.customArgs.pathwise_step}`;
      perPersonStep.set(key, (perPersonStep.get(key) ?? 0) + 1);
    }
    const duplicates = [...perPersonStep.values()].filter((n) => n > 1).length;
    expect(duplicates).toBe(0);
    expect(Math.max(...perMessage.values())).toBe(1);

    // 2. Nothing lost: every row is sent (and the fake has it) or uncertain.
    const byStatus: Record<string, number> = {};
    for (const row of rows) byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
    expect(Object.keys(byStatus).every((status) => status === "sent" || status === "uncertain")).toBe(true);
    for (const row of rows) if (row.status === "sent") expect(perMessage.get(row.id)).toBe(1);
    const uncertain = rows.filter((row) => row.status === "uncertain");
    const uncertainDelivered = uncertain.filter((row) => perMessage.has(row.id)).length;

    // 3. Reconciliation: SendGrid's events for what it did accept turn those uncertain rows into sent.
    await ingestSendgridEvents(
      fake.messages.map((message, i) => ({
        event: "processed", email: message.to, timestamp: Math.floor(Date.now() / 1000), sg_event_id: `crash-${i}`,
        sg_message_id: `${message.xMessageId}.filter`, pathwise_message_id: message.customArgs.pathwise_message_id, pathwise_shop: shop,
      })),
    );
    const after = await prisma.emailMessage.groupBy({ by: ["status"], where: { shop }, _count: { _all: true } });
    const afterByStatus = Object.fromEntries(after.map((g) => [g.status, g._count._all]));
    expect(afterByStatus.uncertain ?? 0).toBe(uncertain.length - uncertainDelivered);
    expect((afterByStatus.sent ?? 0) + (afterByStatus.uncertain ?? 0)).toBe(planned);
    expect(afterByStatus.sent).toBe(fake.messages.length);

    console.log(
      `[crash] ${planned} planned sends, ${kills} SIGKILLs, ${fake.requests} HTTP requests, ${fake.messages.length} emails at the fake, ` +
        `0 duplicates; uncertain ${uncertain.length} (${uncertainDelivered} had reached SendGrid and were reconciled by events, ` +
        `${uncertain.length - uncertainDelivered} never sent and left recorded as uncertain); ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }, 120_000);
});
