import type { IncomingMessage, ServerResponse } from "node:http";
import { authenticate } from "../app/shopify.server";
import { ingestDelivery, type RawDelivery } from "../app/webhooks/ingest.server";
import { webhookRecorder } from "../app/webhooks/recorder-instance.server";
import { handleCartRecommendations } from "../app/recommendations/storefront.server";
import { fetchHandler } from "./fetch-adapter";

const deps = { authenticate: authenticate.webhook, recorder: webhookRecorder };

// The same code as the Remix route app/routes/webhooks.tsx, on plain node:http (the
// server dispatches POST /webhooks here before Express, which also mounts it): at
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

export const cartRecommendationsExpressHandler = fetchHandler(
  (request) => handleCartRecommendations(request, (req) => authenticate.public.appProxy(req) as Promise<{ session?: { shop: string } }>),
  "app proxy",
);
