import { Client } from "@sendgrid/client";
import { MailService } from "@sendgrid/mail";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSendgridFake, validateMailSend, type SendgridFake } from "./sendgrid-fake";

/** The real SendGrid library, pointed at the fake the way the app points it at any origin. */
function mailServiceFor(fake: SendgridFake, options: { apiKey?: string; timeoutMs?: number } = {}) {
  const client = new Client();
  client.setApiKey(options.apiKey ?? fake.apiKey); // resets baseUrl to the region's host...
  client.setDefaultRequest("baseUrl", `${fake.url}/`); // ...so the origin is set after it
  const mail = new MailService();
  mail.setClient(client);
  if (options.timeoutMs) mail.setTimeout(options.timeoutMs);
  return mail;
}

const message = {
  to: "Ann@Example.com",
  from: { email: "shops@mail.pathwise.test", name: "Confetti & Co" },
  replyTo: "owner@confetti.example",
  subject: "You left something in your cart",
  text: "Hi Ann",
  html: "<p>Hi Ann</p>",
  headers: { "List-Unsubscribe": "<https://app.pathwise.test/u/tok?one-click=1>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
  customArgs: { pathwise_message_id: "msg_01", pathwise_shop: "confetti.myshopify.com" },
  categories: ["pathwise", "abandoned_checkout"],
};

/** POST a raw body the way SendGrid's client would, to see the fake's own answers. */
async function post(fake: SendgridFake, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${fake.url}/v3/mail/send`, {
    method: "POST",
    headers: { authorization: `Bearer ${fake.apiKey}`, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

const valid = () => ({
  personalizations: [{ to: [{ email: "ann@example.com" }] }],
  from: { email: "shops@mail.pathwise.test" },
  subject: "Hi",
  content: [
    { type: "text/plain", value: "Hi" },
    { type: "text/html", value: "<p>Hi</p>" },
  ],
});

let fake: SendgridFake;
beforeAll(async () => {
  fake = await startSendgridFake();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

describe("SendGrid fake with @sendgrid/mail", () => {
  it("accepts a real library send with 202 and X-Message-Id, and records it", async () => {
    const [response] = await mailServiceFor(fake).send(message);
    expect(response.statusCode).toBe(202);
    const xMessageId = (response.headers as Record<string, string>)["x-message-id"];
    expect(xMessageId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(fake.messages).toHaveLength(1);
    expect(fake.messages[0]).toMatchObject({
      to: "ann@example.com",
      from: { email: "shops@mail.pathwise.test", name: "Confetti & Co" },
      replyTo: { email: "owner@confetti.example" },
      subject: "You left something in your cart",
      text: "Hi Ann",
      html: "<p>Hi Ann</p>",
      headers: message.headers,
      customArgs: message.customArgs,
      categories: ["pathwise", "abandoned_checkout"],
      xMessageId,
    });
    expect(fake.log[0].headers["user-agent"]).toMatch(/^sendgrid\//);
  });

  it("records one entry per recipient of a personalizations batch, with substitutions applied", async () => {
    await mailServiceFor(fake).send({
      from: "shops@mail.pathwise.test",
      subject: "Hi {{name}}",
      text: "Hello {{name}}",
      html: "<p>Hello {{name}}</p>",
      personalizations: [
        { to: "a@example.com", substitutions: { name: "Ann" }, customArgs: { pathwise_message_id: "m1" } },
        { to: ["b@example.com", "c@example.com"], substitutions: { name: "Bea & Cy" }, customArgs: { pathwise_message_id: "m2" } },
      ],
    });
    expect(fake.messages.map((m) => [m.to, m.subject, m.html, m.customArgs.pathwise_message_id, m.personalizationIndex])).toEqual([
      ["a@example.com", "Hi Ann", "<p>Hello Ann</p>", "m1", 0],
      ["b@example.com", "Hi Bea & Cy", "<p>Hello Bea & Cy</p>", "m2", 1],
      ["c@example.com", "Hi Bea & Cy", "<p>Hello Bea & Cy</p>", "m2", 1],
    ]);
    expect(new Set(fake.messages.map((m) => m.xMessageId)).size).toBe(1);
    expect(fake.messagesTo("B@example.com")).toHaveLength(1);
  });

  it("refuses a wrong API key with SendGrid's 401", async () => {
    const error = await mailServiceFor(fake, { apiKey: "SG.wrong" }).send(message).catch((e) => e);
    expect(error.code).toBe(401);
    expect(error.response.body.errors[0].message).toMatch(/authorization grant is invalid/);
    expect(fake.messages).toHaveLength(0);
  });

  it("answers a library-built invalid body with 400 and SendGrid's error JSON", async () => {
    const error = await mailServiceFor(fake).send({ ...message, customArgs: { attempt: 2 as unknown as string } }).catch((e) => e);
    expect(error.code).toBe(400);
    expect(error.response.body).toEqual({ errors: [{ message: "custom_args values must be strings", field: "custom_args.attempt", help: expect.stringMatching(/#message\.custom_args$/) }] });
    expect(fake.messages).toHaveLength(0);
  });

  it("injects 500 and 429 for the next N requests, then accepts", async () => {
    const mail = mailServiceFor(fake);
    fake.failNext(500, 1);
    fake.failNext(429, 1);
    const first = await mail.send(message).catch((e) => e);
    expect(first.code).toBe(500);
    const second = await mail.send(message).catch((e) => e);
    expect(second.code).toBe(429);
    expect(second.response.headers["x-ratelimit-remaining"]).toBe("0");
    const [third] = await mail.send(message);
    expect(third.statusCode).toBe(202);
    expect(fake.messages).toHaveLength(1);
    expect(fake.log.map((r) => r.outcome)).toEqual(["injected_failure", "injected_failure", "accepted"]);
  });

  it("accept-then-drop: the client sees a cut connection although the message was accepted", async () => {
    fake.acceptThenDrop(1);
    const error = await mailServiceFor(fake).send(message).catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).not.toBe(202);
    expect(String(error.code ?? error.message)).toMatch(/ECONNRESET|socket hang up/i);
    expect(fake.messages).toHaveLength(1); // it went out
    expect(fake.log[0].outcome).toBe("accepted_then_dropped");
  });

  it("drop: the connection is cut before anything is accepted", async () => {
    fake.dropNext(1);
    const error = await mailServiceFor(fake).send(message).catch((e) => e);
    expect(String(error.code ?? error.message)).toMatch(/ECONNRESET|socket hang up/i);
    expect(fake.messages).toHaveLength(0);
  });

  it("delay: a client that times out was nonetheless accepted", async () => {
    fake.delayNext(400, 1);
    const started = Date.now();
    const error = await mailServiceFor(fake, { timeoutMs: 100 }).send(message).catch((e) => e);
    expect(String(error.code ?? error.message)).toMatch(/ECONNABORTED|timeout/i);
    expect(Date.now() - started).toBeLessThan(400);
    expect(fake.messages).toHaveLength(1);
    fake.delayNext(50, 1);
    const [ok] = await mailServiceFor(fake).send(message);
    expect(ok.statusCode).toBe(202);
  });
});

describe("SendGrid fake request checks", () => {
  it("accepts the documented minimal body", async () => {
    expect(validateMailSend(valid())).toEqual([]);
    expect((await post(fake, valid())).status).toBe(202);
  });

  it("requires JSON", async () => {
    const response = await post(fake, "personalizations=1", { "content-type": "application/x-www-form-urlencoded" });
    expect(response.status).toBe(415);
    expect((await post(fake, "{oops")).status).toBe(400);
  });

  it.each([
    ["no personalizations", (b: any) => ({ ...b, personalizations: [] }), "personalizations"],
    ["over 1000 personalizations", (b: any) => ({ ...b, personalizations: Array.from({ length: 1001 }, (_, i) => ({ to: [{ email: `p${i}@example.com` }] })) }), "personalizations"],
    ["over 1000 recipients in total", (b: any) => ({ ...b, personalizations: [{ to: Array.from({ length: 600 }, (_, i) => ({ email: `a${i}@example.com` })) }, { to: Array.from({ length: 401 }, (_, i) => ({ email: `b${i}@example.com` })) }] }), "personalizations"],
    ["a personalization without to", (b: any) => ({ ...b, personalizations: [{ to: [] }] }), "personalizations.0.to"],
    ["an invalid address", (b: any) => ({ ...b, personalizations: [{ to: [{ email: "not-an-address" }] }] }), "personalizations.0.to.0.email"],
    ["a duplicate address between to and cc", (b: any) => ({ ...b, personalizations: [{ to: [{ email: "a@example.com" }], cc: [{ email: "A@example.com" }] }] }), "personalizations.0"],
    ["no from", (b: any) => ({ ...b, from: undefined }), "from"],
    ["no subject anywhere", (b: any) => ({ ...b, subject: undefined }), "personalizations.0.subject"],
    ["html before text", (b: any) => ({ ...b, content: [b.content[1], b.content[0]] }), "content"],
    ["empty content value", (b: any) => ({ ...b, content: [{ type: "text/plain", value: "" }] }), "content.0.value"],
    ["no content", (b: any) => ({ ...b, content: undefined }), "content"],
    ["a non-string header", (b: any) => ({ ...b, headers: { "X-Count": 1 } }), "headers.X-Count"],
    ["a reserved header", (b: any) => ({ ...b, personalizations: [{ to: [{ email: "a@example.com" }], headers: { "Reply-To": "x@example.com" } }] }), "personalizations.0.headers.Reply-To"],
    ["a non-string custom arg", (b: any) => ({ ...b, custom_args: { n: 1 } }), "custom_args.n"],
    ["a non-string substitution", (b: any) => ({ ...b, personalizations: [{ to: [{ email: "a@example.com" }], substitutions: { "-n-": 2 } }] }), "personalizations.0.substitutions.-n-"],
    ["over 10,000 bytes of custom args", (b: any) => ({ ...b, custom_args: { big: "x".repeat(10_001) } }), "personalizations.0.custom_args"],
    ["eleven categories", (b: any) => ({ ...b, categories: Array.from({ length: 11 }, (_, i) => `c${i}`) }), "categories"],
    ["an unknown field", (b: any) => ({ ...b, reply_too: { email: "x@example.com" } }), null],
  ])("refuses %s with 400 and the field", async (_name, mutate, field) => {
    const response = await post(fake, mutate(valid()));
    expect(response.status).toBe(400);
    expect(response.body.errors.length).toBeGreaterThan(0);
    for (const err of response.body.errors) expect(Object.keys(err).sort()).toEqual(["field", "help", "message"]);
    expect(response.body.errors.map((e: { field: string | null }) => e.field)).toContain(field);
    expect(fake.messages).toHaveLength(0);
  });

  it("answers other paths with 404", async () => {
    const response = await fetch(`${fake.url}/v3/marketing/contacts`, { method: "PUT", headers: { authorization: `Bearer ${fake.apiKey}` } });
    expect(response.status).toBe(404);
  });
});
