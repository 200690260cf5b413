import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local SendGrid v3 /v3/mail/send for the email tests (used until the shared
 * tests/support/sendgrid-fake.ts lands). It checks the request the way SendGrid
 * does for what we send (auth, personalizations, from, subject, content order,
 * string-only custom_args/headers/substitutions), records every accepted message
 * per recipient, and can fail on purpose:
 *   - failNext(status, n, errors?): answer n requests with that status (nothing accepted),
 *     with SendGrid's errors body (by default one "injected <status>" message);
 *   - acceptThenDrop(n): accept n requests, then cut the connection without a reply
 *     (the message was sent but the client cannot know: the "uncertain" case).
 */
export interface FakeMessage {
  to: string;
  subject: string;
  html: string;
  text: string;
  customArgs: Record<string, string>;
  headers: Record<string, string>;
  xMessageId: string;
}

export interface SendgridFake {
  url: string;
  apiKey: string;
  requests: number;
  accepted: number;
  messages: FakeMessage[];
  rejected: Array<{ status: number; errors: unknown }>;
  failNext(status: number, count?: number, errors?: Array<{ message: string; field?: string | null }>): void;
  /** Chaos for the crash test: each request fails with 503 / is accepted-then-dropped with these odds, after up to latencyMs. */
  chaos(options: { failRate?: number; dropRate?: number; latencyMs?: number } | null): void;
  acceptThenDrop(count?: number): void;
  reset(): void;
  close(): Promise<void>;
}

const isStringMap = (value: unknown) =>
  value === undefined || (typeof value === "object" && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === "string"));

export function validateMailSend(body: any): Array<{ field: string; message: string }> {
  const errors: Array<{ field: string; message: string }> = [];
  const err = (field: string, message: string) => errors.push({ field, message });
  if (!body || typeof body !== "object") return [{ field: "", message: "body must be a JSON object" }];
  if (!Array.isArray(body.personalizations) || body.personalizations.length < 1 || body.personalizations.length > 1000) {
    err("personalizations", "must be an array of 1 to 1000 personalizations");
  } else {
    body.personalizations.forEach((p: any, i: number) => {
      if (!Array.isArray(p.to) || p.to.length < 1) err(`personalizations.${i}.to`, "at least one recipient is required");
      for (const to of p.to ?? []) if (typeof to?.email !== "string" || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(to.email)) err(`personalizations.${i}.to`, `invalid email ${to?.email}`);
      if (!isStringMap(p.custom_args)) err(`personalizations.${i}.custom_args`, "values must be strings");
      if (!isStringMap(p.headers)) err(`personalizations.${i}.headers`, "values must be strings");
      if (!isStringMap(p.substitutions)) err(`personalizations.${i}.substitutions`, "values must be strings");
      if (p.substitutions && JSON.stringify(p.substitutions).length > 10_000) err(`personalizations.${i}.substitutions`, "total size exceeds 10000 bytes");
      if (!body.subject && !p.subject) err(`personalizations.${i}.subject`, "subject is required");
    });
  }
  if (typeof body.from?.email !== "string") err("from.email", "from email is required");
  if (!Array.isArray(body.content) || body.content.length < 1) err("content", "content is required");
  else {
    if (body.content[0].type !== "text/plain" && body.content.some((c: any) => c.type === "text/plain")) err("content", "text/plain must come first");
    for (const c of body.content) if (typeof c.value !== "string" || c.value.length === 0) err("content.value", "content value must be a non-empty string");
  }
  if (!isStringMap(body.headers)) err("headers", "values must be strings");
  if (!isStringMap(body.custom_args)) err("custom_args", "values must be strings");
  return errors;
}

function substitute(value: string, substitutions: Record<string, string> | undefined): string {
  if (!substitutions) return value;
  let out = value;
  for (const [key, replacement] of Object.entries(substitutions)) out = out.split(key).join(replacement);
  return out;
}

/** keepBodies: false records recipients, headers and custom args only (benchmarks sending 100,000 emails). */
export async function startSendgridFake(apiKey = `SG.fake-${randomBytes(6).toString("hex")}`, options: { keepBodies?: boolean } = {}): Promise<SendgridFake> {
  const keepBodies = options.keepBodies ?? true;
  let failures: Array<{ status: number; errors: Array<{ message: string; field?: string | null }> }> = [];
  let drops = 0;
  let chaos: { failRate?: number; dropRate?: number; latencyMs?: number } | null = null;
  const fake: SendgridFake = {
    url: "",
    apiKey,
    requests: 0,
    accepted: 0,
    messages: [],
    rejected: [],
    failNext(status, count = 1, errors = [{ message: `injected ${status}` }]) {
      for (let i = 0; i < count; i++) failures.push({ status, errors });
    },
    chaos(options) {
      chaos = options;
    },
    acceptThenDrop(count = 1) {
      drops += count;
    },
    reset() {
      failures = [];
      drops = 0;
      chaos = null;
      fake.requests = 0;
      fake.accepted = 0;
      fake.messages.length = 0;
      fake.rejected.length = 0;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const reply = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(body === undefined ? "" : JSON.stringify(body));
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== "POST" || req.url !== "/v3/mail/send") return reply(res, 404, { errors: [{ message: "not found" }] });
    fake.requests++;
    if (chaos?.latencyMs) await new Promise((resolve) => setTimeout(resolve, Math.random() * chaos!.latencyMs!));
    if (chaos?.failRate && Math.random() < chaos.failRate) failures.unshift({ status: 503, errors: [{ message: "injected 503" }] });
    if (chaos?.dropRate && Math.random() < chaos.dropRate) drops++;
    if (req.headers.authorization !== `Bearer ${apiKey}`) return reply(res, 401, { errors: [{ message: "The provided authorization grant is invalid, expired, or revoked" }] });
    const failure = failures.shift();
    if (failure) {
      fake.rejected.push({ status: failure.status, errors: "injected" });
      return reply(res, failure.status, { errors: failure.errors }, failure.status === 429 ? { "retry-after": "1" } : {});
    }
    let body: any;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return reply(res, 400, { errors: [{ field: "", message: "Bad Request: invalid JSON" }] });
    }
    const errors = validateMailSend(body);
    if (errors.length) {
      fake.rejected.push({ status: 400, errors });
      return reply(res, 400, { errors });
    }
    const xMessageId = randomBytes(11).toString("base64url");
    const html = body.content.find((c: any) => c.type === "text/html")?.value ?? "";
    const text = body.content.find((c: any) => c.type === "text/plain")?.value ?? "";
    for (const p of body.personalizations) {
      for (const to of p.to) {
        fake.messages.push({
          to: to.email.toLowerCase(),
          subject: substitute(p.subject ?? body.subject, p.substitutions),
          html: keepBodies ? substitute(html, p.substitutions) : "",
          text: keepBodies ? substitute(text, p.substitutions) : "",
          customArgs: { ...(body.custom_args ?? {}), ...(p.custom_args ?? {}) },
          headers: { ...(body.headers ?? {}), ...(p.headers ?? {}) },
          xMessageId,
        });
      }
    }
    fake.accepted++;
    if (drops > 0) {
      drops--;
      req.socket.destroy(); // accepted, but the client never hears back
      return;
    }
    res.writeHead(202, { "x-message-id": xMessageId });
    res.end();
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
