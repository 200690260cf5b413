import { authenticate } from "../app/shopify.server";
import { ingestWebhook } from "../app/webhooks/ingest.server";
import { webhookRecorder } from "../app/webhooks/recorder-instance.server";
import { handleCartRecommendations } from "../app/recommendations/storefront.server";
import { fetchHandler } from "./fetch-adapter";

// The same code as the Remix routes app/routes/webhooks.tsx and apps.pathwise.recommendations.tsx,
// mounted straight on Express: at thousands of requests a second Remix's routing is measurable.
export const webhookExpressHandler = fetchHandler(
  (request) => ingestWebhook(request, { authenticate: authenticate.webhook, recorder: webhookRecorder }),
  "webhooks",
);

export const cartRecommendationsExpressHandler = fetchHandler(
  (request) => handleCartRecommendations(request, (req) => authenticate.public.appProxy(req) as Promise<{ session?: { shop: string } }>),
  "app proxy",
);
