import { describe, expect, it } from "vitest";
import { createSendBatcher } from "../../app/email/send-batcher.server";
import type { MarketingEmailRequest } from "../../app/email/outbound.server";
import { RetryableSendError, type BatchItemResult } from "../../app/email/outbound.server";

const request = (n: number): MarketingEmailRequest => ({
  shop: "batcher.myshopify.com",
  sendKey: `run-${n}:email_1`,
  flowId: "abandoned_checkout",
  flowRunId: `run-${n}`,
  stepKey: "email_1",
  customerId: String(n),
  email: `shopper${n}@example.com`,
  marketing: true,
  render: async () => ({ subject: "s", html: "<p>h</p>", text: "t" }),
});

describe("flow email batcher", () => {
  it("sends emails requested together as one batch and gives each caller its own result or error", async () => {
    const batches: string[][] = [];
    const batcher = createSendBatcher({ lingerMs: 20, maxBatch: 100 }, async (requests) => {
      batches.push(requests.map((r) => r.sendKey));
      return requests.map((r, i): BatchItemResult =>
        i === 1 ? new RetryableSendError("503 from SendGrid", `m-${i}`, 503) : { status: "sent", messageId: `m-${i}`, providerMessageId: "x" },
      );
    });
    const outcomes = await Promise.allSettled([0, 1, 2].map((n) => batcher.send(request(n))));
    expect(batches).toEqual([["run-0:email_1", "run-1:email_1", "run-2:email_1"]]);
    expect(outcomes[0]).toMatchObject({ status: "fulfilled", value: { status: "sent", messageId: "m-0" } });
    expect(outcomes[1]).toMatchObject({ status: "rejected", reason: expect.any(RetryableSendError) });
    expect(outcomes[2]).toMatchObject({ status: "fulfilled", value: { status: "sent", messageId: "m-2" } });
  });

  it("leaves at once when full, and rejects every caller when the whole batch fails", async () => {
    const sizes: number[] = [];
    let fail = false;
    const batcher = createSendBatcher({ lingerMs: 60_000, maxBatch: 2 }, async (requests) => {
      sizes.push(requests.length);
      if (fail) throw new Error("database down");
      return requests.map((_, i): BatchItemResult => ({ status: "captured", messageId: `m-${i}` }));
    });
    // A linger of a minute: only the size limit can have sent these.
    await expect(Promise.all([batcher.send(request(1)), batcher.send(request(2))])).resolves.toHaveLength(2);
    fail = true;
    const failing = Promise.allSettled([batcher.send(request(3)), batcher.send(request(4))]);
    expect((await failing).map((outcome) => outcome.status)).toEqual(["rejected", "rejected"]);
    expect(sizes).toEqual([2, 2]);
  });
});
