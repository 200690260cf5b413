import type { ActionFunctionArgs } from "@remix-run/node";
import { eventBatchSchema, ingestSendgridEvents, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySendgridSignature } from "../email/event-ingest.server";

// SendGrid Event Webhook. The signature covers timestamp + the raw body, so read the body as text first.
export const action = async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST") return new Response("Method not allowed", { status: 405 });
  const raw = await request.text();
  if (!verifySendgridSignature(raw, request.headers.get(SIGNATURE_HEADER), request.headers.get(TIMESTAMP_HEADER))) {
    return new Response("Invalid signature", { status: 403 });
  }
  let events;
  try {
    events = eventBatchSchema.parse(JSON.parse(raw));
  } catch (error) {
    return new Response(`Malformed event batch: ${(error as Error).message.slice(0, 300)}`, { status: 400 });
  }
  const summary = await ingestSendgridEvents(events);
  return Response.json(summary, { status: 200 });
};

export const loader = () => new Response("Method not allowed", { status: 405 });
