import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";

/**
 * A local SendGrid v3 API for tests: `POST /v3/mail/send` on 127.0.0.1 (random port).
 *
 * It checks what SendGrid checks (Bearer API key, JSON content type, the documented
 * mail/send body shape via zod: 1..1000 personalizations each with 1+ `to`, a
 * `from`, a subject somewhere, content with text/plain before text/html, string-only
 * headers/custom_args/substitutions, at most 1000 recipients, reserved headers,
 * size limits), answers 202 + `X-Message-Id` or 400 `{errors:[{message, field, help}]}`
 * and records every accepted message once per `to` recipient (substitutions applied).
 *
 * Failure injection, each for the next N requests that pass authentication:
 *   - failNext(status, n): answer with that status (500, 503, 429 ...), accept nothing;
 *   - dropNext(n): cut the connection before accepting (the client sees a reset; not sent);
 *   - acceptThenDrop(n): accept and record, then cut the connection without a reply
 *     (sent, but the client cannot know: the "uncertain" case);
 *   - delayNext(ms, n): accept/answer normally but hold the reply for ms
 *     (a client timing out meanwhile was nonetheless accepted).
 *
 * Point @sendgrid/mail at it (see configureMailService in the test beside this file):
 *   const client = new Client(); client.setApiKey(fake.apiKey); client.setDefaultRequest("baseUrl", fake.url);
 *   const mail = new MailService(); mail.setClient(client);
 * setApiKey (and setDataResidency) reset baseUrl, so set baseUrl after them.
 */

export interface SendgridApiError {
  message: string;
  field: string | null;
  help: string | null;
}

export interface FakeMessage {
  /** Lower-cased recipient address. */
  to: string;
  toName: string | null;
  cc: string[];
  bcc: string[];
  from: { email: string; name?: string };
  replyTo: { email: string; name?: string } | null;
  subject: string;
  html: string;
  text: string;
  /** Request-level custom_args overlaid with the personalization's (as SendGrid merges them). */
  customArgs: Record<string, string>;
  /** Request-level headers overlaid with the personalization's. */
  headers: Record<string, string>;
  categories: string[];
  /** X-Message-Id of the request that carried it (shared by a batch). */
  xMessageId: string;
  requestIndex: number;
  personalizationIndex: number;
}

export interface FakeRequestRecord {
  index: number;
  /** HTTP status answered, or null when the connection was cut. */
  status: number | null;
  outcome: "accepted" | "accepted_then_dropped" | "rejected" | "injected_failure" | "dropped" | "unauthorized";
  body: unknown;
  headers: IncomingMessage["headers"];
  errors?: SendgridApiError[];
}

export interface SendgridFake {
  url: string;
  apiKey: string;
  /** Requests to /v3/mail/send (any outcome). */
  requests: number;
  /** Requests accepted (including accept-then-drop). */
  accepted: number;
  messages: FakeMessage[];
  rejected: Array<{ status: number; errors: unknown }>;
  log: FakeRequestRecord[];
  failNext(status: number, count?: number): void;
  dropNext(count?: number): void;
  acceptThenDrop(count?: number): void;
  delayNext(ms: number, count?: number): void;
  /** Random failures for soak/crash tests: each request fails with 503 / is accepted-then-dropped with these odds, after up to latencyMs. */
  chaos(options: { failRate?: number; dropRate?: number; latencyMs?: number } | null): void;
  /** Messages sent to one address (case-insensitive). */
  messagesTo(email: string): FakeMessage[];
  reset(): void;
  close(): Promise<void>;
}

export interface SendgridFakeOptions {
  apiKey?: string;
  /** Largest body accepted (SendGrid: 30 MB total message size). */
  maxBodyBytes?: number;
}

const HELP = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html";
const MAX_RECIPIENTS = 1000;
/** Headers SendGrid refuses in `headers` (it sets them itself). */
const RESERVED_HEADERS = new Set(["x-sg-id", "x-sg-eid", "received", "dkim-signature", "content-type", "content-transfer-encoding", "to", "from", "subject", "reply-to", "cc", "bcc"]);

const emailAddress = z.string().regex(/^[^@\s<>(),;:"]+@[^@\s<>(),;:"]+\.[^@\s<>(),;:"]+$/, "Does not contain a valid address.");
const address = z.object({ email: emailAddress, name: z.string().max(256).optional() }).strict();
const stringMap = (what: string) => z.record(z.string({ invalid_type_error: `${what} values must be strings` }));
const headers = stringMap("header").superRefine((value, ctx) => {
  for (const name of Object.keys(value)) {
    if (RESERVED_HEADERS.has(name.toLowerCase())) ctx.addIssue({ code: "custom", path: [name], message: `The header ${name} is reserved and cannot be set.` });
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) ctx.addIssue({ code: "custom", path: [name], message: "Invalid header name." });
    if (/[\r\n]/.test(value[name])) ctx.addIssue({ code: "custom", path: [name], message: "Header values may not contain line breaks." });
  }
});
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value ?? {}));

const personalization = z
  .object({
    to: z.array(address).min(1, "The to array is required for all personalization objects, and must have at least one email object with a valid email address.").max(MAX_RECIPIENTS),
    cc: z.array(address).max(MAX_RECIPIENTS).optional(),
    bcc: z.array(address).max(MAX_RECIPIENTS).optional(),
    from: address.optional(),
    subject: z.string().min(1).optional(),
    headers: headers.optional(),
    substitutions: stringMap("substitution").refine((s) => bytes(s) <= 10_000, "The total size of substitutions may not exceed 10,000 bytes per personalization object.").optional(),
    dynamic_template_data: z.record(z.unknown()).optional(),
    custom_args: stringMap("custom_args").optional(),
    send_at: z.number().int().nonnegative().optional(),
  })
  .strict();

export const mailSendSchema = z
  .object({
    personalizations: z.array(personalization).min(1, "The personalizations field is required and must have at least one personalization.").max(1000, "You may not have more than 1000 personalizations per API request."),
    from: address,
    reply_to: address.optional(),
    reply_to_list: z.array(address).max(1000).optional(),
    subject: z.string().min(1).optional(),
    content: z.array(z.object({ type: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, "Invalid content type."), value: z.string().min(1, "The content value must be a string at least one character in length.") }).strict()).min(1).optional(),
    attachments: z.array(z.object({ content: z.string().min(1), filename: z.string().min(1), type: z.string().optional(), disposition: z.enum(["inline", "attachment"]).optional(), content_id: z.string().optional() }).strict()).optional(),
    template_id: z.string().min(1).optional(),
    sections: stringMap("section").optional(),
    headers: headers.optional(),
    categories: z.array(z.string().min(1).max(255, "A category cannot exceed 255 characters.")).max(10, "You cannot have more than 10 categories per request.").optional(),
    custom_args: stringMap("custom_args").optional(),
    send_at: z.number().int().nonnegative().optional(),
    batch_id: z.string().optional(),
    asm: z.object({ group_id: z.number().int(), groups_to_display: z.array(z.number().int()).max(25).optional() }).strict().optional(),
    ip_pool_name: z.string().min(2).max(64).optional(),
    mail_settings: z.record(z.unknown()).optional(),
    tracking_settings: z.record(z.unknown()).optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    if (!body.template_id) {
      if (!body.content) issue(["content"], "Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block.");
      if (!body.subject) {
        body.personalizations.forEach((p, i) => {
          if (!p.subject) issue(["personalizations", i, "subject"], "The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.");
        });
      }
    }
    if (body.content) {
      const types = body.content.map((c) => c.type.toLowerCase());
      const plain = types.indexOf("text/plain");
      const html = types.indexOf("text/html");
      if (plain > 0 || (html >= 0 && html !== (plain === 0 ? 1 : 0))) issue(["content"], "If present, text/plain and text/html may only be provided in this order, as the first content blocks.");
      if (new Set(types).size !== types.length) issue(["content"], "Each content type may be used only once.");
    }
    let recipients = 0;
    body.personalizations.forEach((p, i) => {
      const all = [...p.to, ...(p.cc ?? []), ...(p.bcc ?? [])].map((a) => a.email.toLowerCase());
      recipients += all.length;
      if (new Set(all).size !== all.length) issue(["personalizations", i], "Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [" + all.find((e, k) => all.indexOf(e) !== k) + "] in the personalizations.to field.");
      if (bytes({ ...body.custom_args, ...p.custom_args }) > 10_000) issue(["personalizations", i, "custom_args"], "The total size of custom arguments may not exceed 10,000 bytes.");
    });
    if (recipients > MAX_RECIPIENTS) issue(["personalizations"], `The total number of recipients (to, cc and bcc) may not exceed ${MAX_RECIPIENTS} per request.`);
    if (body.categories && new Set(body.categories).size !== body.categories.length) issue(["categories"], "The categories must be unique.");
  });

export type MailSendBody = z.infer<typeof mailSendSchema>;

/** SendGrid-style errors for a mail/send body; [] when valid. */
export function validateMailSend(body: unknown): SendgridApiError[] {
  const result = mailSendSchema.safeParse(body);
  if (result.success) return [];
  return result.error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.join(".") : null;
    // SendGrid's help anchors name the field, e.g. #message.personalizations.to or #message.custom_args.
    const anchor = issue.path[0] === "personalizations" && typeof issue.path[2] === "string" ? `personalizations.${issue.path[2]}` : String(issue.path[0] ?? "");
    const message = issue.code === "unrecognized_keys" ? `Unknown field(s): ${issue.keys.join(", ")}.` : issue.message;
    return { message, field, help: `${HELP}#message.${anchor || "body"}` };
  });
}

function substitute(value: string, substitutions: Record<string, string> | undefined): string {
  if (!substitutions) return value;
  let out = value;
  for (const [key, replacement] of Object.entries(substitutions)) out = out.split(key).join(replacement);
  return out;
}

const error = (message: string, field: string | null = null): { errors: SendgridApiError[] } => ({ errors: [{ message, field, help: null }] });

export async function startSendgridFake(options: string | SendgridFakeOptions = {}): Promise<SendgridFake> {
  const settings = typeof options === "string" ? { apiKey: options } : options;
  const apiKey = settings.apiKey ?? `SG.fake-${randomBytes(8).toString("hex")}.${randomBytes(16).toString("base64url")}`;
  const maxBodyBytes = settings.maxBodyBytes ?? 30 * 1024 * 1024;
  let failures: number[] = [];
  let drops = 0;
  let acceptDrops = 0;
  let delays: number[] = [];
  let chaos: { failRate?: number; dropRate?: number; latencyMs?: number } | null = null;

  const fake: SendgridFake = {
    url: "",
    apiKey,
    requests: 0,
    accepted: 0,
    messages: [],
    rejected: [],
    log: [],
    failNext(status, count = 1) {
      for (let i = 0; i < count; i++) failures.push(status);
    },
    dropNext(count = 1) {
      drops += count;
    },
    acceptThenDrop(count = 1) {
      acceptDrops += count;
    },
    delayNext(ms, count = 1) {
      for (let i = 0; i < count; i++) delays.push(ms);
    },
    chaos(value) {
      chaos = value;
    },
    messagesTo(email) {
      return fake.messages.filter((m) => m.to === email.toLowerCase());
    },
    reset() {
      failures = [];
      drops = 0;
      acceptDrops = 0;
      delays = [];
      chaos = null;
      fake.requests = 0;
      fake.accepted = 0;
      fake.messages.length = 0;
      fake.rejected.length = 0;
      fake.log.length = 0;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const reply = (res: ServerResponse, status: number, body?: unknown, extra: Record<string, string> = {}) => {
    if (body === undefined) res.writeHead(status, extra).end();
    else res.writeHead(status, { "content-type": "application/json", ...extra }).end(JSON.stringify(body));
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size <= maxBodyBytes) chunks.push(chunk as Buffer);
    }
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/v3/mail/send") return reply(res, 404, error("resource not found"));
    if (req.method !== "POST") return reply(res, 405, error("method not allowed"));
    const index = fake.requests++;
    const record: FakeRequestRecord = { index, status: null, outcome: "rejected", body: null, headers: req.headers };
    fake.log.push(record);

    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      Object.assign(record, { status: 401, outcome: "unauthorized" });
      return reply(res, 401, error("The provided authorization grant is invalid, expired, or revoked"));
    }
    const delay = delays.shift() ?? (chaos?.latencyMs ? Math.random() * chaos.latencyMs : 0);
    const answer = async (status: number, body?: unknown, extra?: Record<string, string>) => {
      if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
      record.status = status;
      reply(res, status, body, extra);
    };
    if (chaos?.failRate && Math.random() < chaos.failRate) failures.unshift(503);
    if (chaos?.dropRate && Math.random() < chaos.dropRate) acceptDrops++;

    const failure = failures.shift();
    if (failure) {
      record.outcome = "injected_failure";
      fake.rejected.push({ status: failure, errors: "injected" });
      const extra: Record<string, string> =
        failure === 429 ? { "retry-after": "1", "x-ratelimit-limit": "600", "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.ceil(Date.now() / 1000) + 1) } : {};
      return answer(failure, error(failure === 429 ? "too many requests" : failure >= 500 ? "Internal server error" : `injected ${failure}`), extra);
    }
    if (drops > 0) {
      drops--;
      record.outcome = "dropped";
      req.socket.destroy();
      return;
    }
    if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
      record.outcome = "rejected";
      fake.rejected.push({ status: 415, errors: "content-type" });
      return answer(415, error("Content-Type should be application/json.", "content-type"));
    }
    if (size > maxBodyBytes) {
      fake.rejected.push({ status: 413, errors: "too large" });
      return answer(413, error(`The JSON payload you have included in your request is too large. Please limit your payload to ${maxBodyBytes} bytes.`));
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      fake.rejected.push({ status: 400, errors: "invalid JSON" });
      return answer(400, error("Bad Request", null));
    }
    record.body = body;
    const errors = validateMailSend(body);
    if (errors.length) {
      record.errors = errors;
      fake.rejected.push({ status: 400, errors });
      return answer(400, { errors });
    }

    const mail = body as MailSendBody;
    const xMessageId = randomBytes(16).toString("base64url").slice(0, 22);
    const html = mail.content?.find((c) => c.type === "text/html")?.value ?? "";
    const text = mail.content?.find((c) => c.type === "text/plain")?.value ?? "";
    mail.personalizations.forEach((p, personalizationIndex) => {
      for (const to of p.to) {
        fake.messages.push({
          to: to.email.toLowerCase(),
          toName: to.name ?? null,
          cc: (p.cc ?? []).map((a) => a.email.toLowerCase()),
          bcc: (p.bcc ?? []).map((a) => a.email.toLowerCase()),
          from: p.from ?? mail.from,
          replyTo: mail.reply_to ?? null,
          subject: substitute(p.subject ?? mail.subject ?? "", p.substitutions),
          html: substitute(html, p.substitutions),
          text: substitute(text, p.substitutions),
          customArgs: { ...(mail.custom_args ?? {}), ...(p.custom_args ?? {}) },
          headers: { ...(mail.headers ?? {}), ...(p.headers ?? {}) },
          categories: mail.categories ?? [],
          xMessageId,
          requestIndex: index,
          personalizationIndex,
        });
      }
    });
    fake.accepted++;
    record.outcome = "accepted";
    if (acceptDrops > 0) {
      acceptDrops--;
      record.outcome = "accepted_then_dropped";
      req.socket.destroy(); // accepted, but the client never hears back
      return;
    }
    return answer(202, undefined, { "x-message-id": xMessageId });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
