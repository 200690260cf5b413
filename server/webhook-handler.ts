import type { Request as ExpressRequest, Response as ExpressResponse } from "express";
import { authenticate } from "../app/shopify.server";
import { ingestDelivery, type RawDelivery } from "../app/webhooks/ingest.server";
import { webhookRecorder } from "../app/webhooks/recorder-instance.server";
import { handleCartRecommendations } from "../app/recommendations/storefront.server";
import { fetchHandler } from "./fetch-adapter";

const deps = { authenticate: authenticate.webhook, recorder: webhookRecorder };

// The same code as the Remix route app/routes/webhooks.tsx, mounted straight on Express:
// at thousands of requests a second Remix's routing is measurable, and so are the Fetch
// Request and Response around it, so the body is read once into a string and the answer
// written directly. authenticate.webhook still checks every delivery.
export async function webhookExpressHandler(req: ExpressRequest, res: ExpressResponse) {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = req.headers;
    const delivery: RawDelivery = {
      url: `http://${headers.host ?? "localhost"}${req.originalUrl}`,
      method: req.method,
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
    if (!res.headersSent) res.status(500).send("internal error: retry");
  }
}

function* stringHeaders(headers: ExpressRequest["headers"]): Iterable<[string, string]> {
  for (const name in headers) {
    const value = headers[name];
    if (typeof value === "string") yield [name, value];
  }
}

export const cartRecommendationsExpressHandler = fetchHandler(
  (request) => handleCartRecommendations(request, (req) => authenticate.public.appProxy(req) as Promise<{ session?: { shop: string } }>),
  "app proxy",
);
