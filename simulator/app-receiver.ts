import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { once } from "node:events";

/**
 * A stand-in for the app's HTTP endpoint in simulator tests and benchmarks: it
 * records every request as received (raw body and headers) and answers with the
 * statuses it is told to, so retries and failures can be exercised through real HTTP.
 */
export interface ReceivedRequest {
  method: string;
  path: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  at: Date;
}

export interface AppReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Statuses to answer with, in order; afterwards `defaultStatus`. */
  respondWith(statuses: number[]): void;
  defaultStatus: number;
  /** Optional check per request (e.g. HMAC validation); its status overrides the queue when set. */
  handler: ((request: ReceivedRequest) => Promise<number | undefined> | number | undefined) | null;
  /** Rebuilds a web `Request` from a recorded one (for @shopify/shopify-api's validators). */
  toRequest(request: ReceivedRequest): Request;
  close(): Promise<void>;
}

export async function startAppReceiver(): Promise<AppReceiver> {
  const queue: number[] = [];
  let server: Server | null = null;
  const receiver: AppReceiver = {
    url: "",
    requests: [],
    defaultStatus: 200,
    handler: null,
    respondWith(statuses) {
      queue.push(...statuses);
    },
    toRequest(request) {
      const headers = new Headers();
      for (const [key, value] of Object.entries(request.headers)) {
        if (typeof value === "string") headers.set(key, value);
        else if (Array.isArray(value)) headers.set(key, value.join(", "));
      }
      return new Request(request.url, { method: request.method, headers, body: request.method === "GET" || request.method === "HEAD" ? undefined : request.rawBody });
    },
    async close() {
      if (!server) return;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
      server = null;
    },
  };
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const recorded: ReceivedRequest = {
      method: req.method ?? "GET",
      path: (req.url ?? "/").split("?")[0],
      url: `${receiver.url}${req.url ?? "/"}`,
      headers: req.headers,
      rawBody: Buffer.concat(chunks).toString("utf8"),
      at: new Date(),
    };
    receiver.requests.push(recorded);
    let status = queue.length ? queue.shift()! : receiver.defaultStatus;
    if (receiver.handler) status = (await receiver.handler(recorded)) ?? status;
    res.writeHead(status, { "content-type": "text/plain" });
    res.end(status < 300 ? "ok" : "failed");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  receiver.url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return receiver;
}
