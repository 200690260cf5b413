import type { IncomingMessage, ServerResponse } from "node:http";
import { authenticate } from "../app/shopify.server";
import { ingestDelivery, type RawDelivery } from "../app/webhooks/ingest.server";
import { webhookRecorder } from "../app/webhooks/recorder-instance.server";
import { handleCartRecommendations } from "../app/recommendations/storefront.server";
import type { Request as ExpressRequest, Response as ExpressResponse } from "express";
import { sendFetchResponse } from "./fetch-adapter";

const deps = { authenticate: authenticate.webhook, recorder: webhookRecorder };

// The same code as the Remix route app/routes/webhooks.tsx, on plain node:http (the
// server dispatches POST /webhooks here before Express): at
// thousands of requests a second Remix's routing, Express's request decoration and the
// Fetch Request and Response around the handler are measurable, so the body is read once
// into a string and the answer written directly. authenticate.webhook checks every delivery.
export async function webhookExpressHandler(req: IncomingMessage, res: ServerResponse) {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = req.headers;
    const delivery: RawDelivery = {
      url: `http://${headers.host ?? "localhost"}${req.url ?? "/webhooks"}`,
      method: req.method ?? "POST",
      header: (name) => {
        const value = headers[name];
        return typeof value === "string" ? value : null;
      },
      headers: stringHeaders(headers),
      rawBody: (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString("utf8"),
    };
    const { status, body } = await ingestDelivery(delivery, deps);
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body) });
    res.end(body);
  } catch (error) {
    console.error("[webhooks] failed", (error as Error).message);
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
    res.end("internal error: retry");
  }
}

function* stringHeaders(headers: IncomingMessage["headers"]): Iterable<[string, string]> {
  for (const name in headers) {
    const value = headers[name];
    if (typeof value === "string") yield [name, value];
  }
}

/** POST /webhooks (with or without a query string): taken before Express. */
export function isWebhookDelivery(req: IncomingMessage): boolean {
  const url = req.url ?? "";
  return req.method === "POST" && (url === "/webhooks" || url.startsWith("/webhooks?"));
}

/**
 * The app proxy: a GET whose only input is its signed query string, so the
 * Fetch Request is built from the URL alone (no header copy).
 */
export async function cartRecommendationsExpressHandler(req: ExpressRequest, res: ExpressResponse) {
  try {
    const request = new Request(`http://${req.headers.host ?? "localhost"}${req.originalUrl}`);
    await sendFetchResponse(res, await handleCartRecommendations(request, (req) => authenticate.public.appProxy(req) as Promise<{ session?: { shop: string } }>));
  } catch (error) {
    console.error("[app proxy] failed", (error as Error).message);
    if (!res.headersSent) res.status(500).send("internal error: retry");
  }
}
