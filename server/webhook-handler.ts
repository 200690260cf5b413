import { authenticate } from "../app/shopify.server";
import { ingestWebhook } from "../app/webhooks/ingest.server";
import { webhookRecorder } from "../app/webhooks/recorder-instance.server";
import { handleCartRecommendations } from "../app/recommendations/storefront.server";
import type { Request as ExpressRequest, Response as ExpressResponse } from "express";
import { fetchHandler, sendFetchResponse } from "./fetch-adapter";

// The same code as the Remix routes app/routes/webhooks.tsx and apps.pathwise.recommendations.tsx,
// mounted straight on Express: at thousands of requests a second Remix's routing is measurable.
export const webhookExpressHandler = fetchHandler(
  (request) => ingestWebhook(request, { authenticate: authenticate.webhook, recorder: webhookRecorder }),
  "webhooks",
);

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
