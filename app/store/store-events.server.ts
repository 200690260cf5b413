import type { Tx } from "./sql.server";
import type { NormalizedCheckout, NormalizedCart, NormalizedOrder, NormalizedFulfillment } from "../webhooks/normalize";

/**
 * What changed in a shop's store model, announced inside the transaction that
 * changed it, so a subscriber (a flow, the recommendation model) can write its
 * own rows and enqueue its jobs atomically with the change.
 */
export type StoreEvent =
  | { kind: "checkout.changed"; shop: string; checkout: NormalizedCheckout; created: boolean }
  | { kind: "cart.changed"; shop: string; cart: NormalizedCart; created: boolean }
  | { kind: "order.created"; shop: string; order: NormalizedOrder }
  /** cancelledNow: this update cancelled an order we held as not cancelled. */
  | { kind: "order.updated"; shop: string; order: NormalizedOrder; cancelledNow: boolean }
  /** orders/delete of an order we held: createdAt says whether the recommendation model counted it. */
  | { kind: "order.deleted"; shop: string; orderId: string; createdAt: Date }
  | { kind: "fulfillment.delivered"; shop: string; fulfillment: NormalizedFulfillment }
  | { kind: "customer.consent_changed"; shop: string; customerId: string; state: string }
  | { kind: "product.changed"; shop: string; productId: string }
  | { kind: "shop.uninstalled"; shop: string }
  | { kind: "customer.redacted"; shop: string; customerId: string | null; email: string | null; orderIds: string[] }
  | { kind: "shop.redacted"; shop: string };

export type StoreEventKind = StoreEvent["kind"];
type Handler<K extends StoreEventKind> = (tx: Tx, event: Extract<StoreEvent, { kind: K }>) => Promise<void>;

const subscribers = new Map<StoreEventKind, Array<Handler<StoreEventKind>>>();

export function onStoreEvent<K extends StoreEventKind>(kind: K, handler: Handler<K>): () => void {
  const list = subscribers.get(kind) ?? [];
  list.push(handler as unknown as Handler<StoreEventKind>);
  subscribers.set(kind, list);
  return () => {
    const current = subscribers.get(kind) ?? [];
    subscribers.set(kind, current.filter((h) => h !== (handler as unknown)));
  };
}

export async function emitStoreEvent(tx: Tx, event: StoreEvent): Promise<void> {
  for (const handler of subscribers.get(event.kind) ?? []) {
    await handler(tx, event as never);
  }
}
