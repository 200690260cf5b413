import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { ingestWebhook } from "../webhooks/ingest.server";
import { webhookRecorder } from "../webhooks/recorder-instance.server";

// Every subscribed topic (shopify.app.toml) is delivered here.
export const action = ({ request }: ActionFunctionArgs) =>
  ingestWebhook(request, { authenticate: authenticate.webhook, recorder: webhookRecorder });
