import type { IncomingMessage, ServerResponse } from "node:http";
import { authenticate } from "../app/shopify.server";
import { ingestDelivery, type RawDelivery } from "../app/webhooks/ingest.server";
import { webhookRecorder } from "../app/webhooks/recorder-instance.server";
import { handleCartRecommendations } from "../app/recommendations/storefront.server";

const deps = { authenticate: authenticate.webhook, recorder: webhookRecorder };

// The same code as the Remix route app/routes/webhooks.tsx, on plain node:http (the
// server dispatches POST /webhooks here before Express): at
// thousands of requests a second Remix's routing, Express's request decoration and the
// Fetch Request and Response around the handler are measurable, so the body is read once
// into a string and the answer written directly. authenticate.webhook checks every delivery.
export async function webhookHandler(req: IncomingMessage, res: ServerResponse) {
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

/** GET /apps/pathwise/recommendations (the app proxy): taken before Express too. */
export function isCartRecommendationsRequest(req: IncomingMessage): boolean {
  const url = req.url ?? "";
  return (req.method === "GET" || req.method === "HEAD") && (url === CART_RECOMMENDATIONS_PATH || url.startsWith(`${CART_RECOMMENDATIONS_PATH}?`));
}
const CART_RECOMMENDATIONS_PATH = "/apps/pathwise/recommendations";

/**
 * The app proxy, the same code as the Remix route app/routes/apps.pathwise.recommendations.tsx:
 * a GET whose only input is its signed query string, so the Fetch Request is built from
 * the URL alone, and the answer (a few hundred bytes of JSON) is written in one call.
 * Storefront traffic lands here on every cart view; Express's middleware stack and
 * compression's response wrapping were a visible share of its time.
 */
export async function cartRecommendationsHandler(req: IncomingMessage, res: ServerResponse) {
  try {
    const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? CART_RECOMMENDATIONS_PATH}`);
    const response = await handleCartRecommendations(request, (req) => authenticate.public.appProxy(req) as Promise<{ session?: { shop: string } }>);
    const body = Buffer.from(await response.arrayBuffer());
    const headers: Record<string, string> = { "content-length": String(body.length) };
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    res.writeHead(response.status, headers);
    res.end(req.method === "HEAD" ? undefined : body);
  } catch (error) {
    console.error("[app proxy] failed", (error as Error).message);
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
    res.end("internal error: retry");
  }
}
