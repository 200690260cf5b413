import type { Request as ExpressRequest, Response as ExpressResponse } from "express";
import { authenticate } from "../app/shopify.server";
import { ingestWebhook } from "../app/webhooks/ingest.server";
import { webhookRecorder } from "../app/webhooks/recorder-instance.server";

/** Express adapter for the one webhook ingestion path (same code as the Remix route). */
export async function webhookExpressHandler(req: ExpressRequest, res: ExpressResponse): Promise<void> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string") headers.set(name, value);
    }
    const request = new Request(`http://${req.headers.host ?? "localhost"}${req.originalUrl}`, {
      method: req.method,
      headers,
      body: Buffer.concat(chunks),
    });
    const response = await ingestWebhook(request, { authenticate: authenticate.webhook, recorder: webhookRecorder });
    res.status(response.status).type(response.headers.get("content-type") ?? "text/plain").send(await response.text());
  } catch (error) {
    console.error("[webhooks] ingestion failed", (error as Error).message);
    if (!res.headersSent) res.status(500).send("ingestion failed: retry");
  }
}
