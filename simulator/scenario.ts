import { randomBytes } from "node:crypto";
import type { Simulator } from "./index";
import { discountAmount, orderSubtotal, type SimCustomer, type SimFulfillment, type SimOrder, type SimProduct } from "./store";
import {
  cartPayload,
  checkoutPayload,
  consentPayload,
  customerWebhookPayload,
  fulfillmentPayload,
  orderPayload,
  productPayload,
  type CartLine,
  type SimCart,
  type SimCheckout,
} from "./webhooks";

/**
 * Simulated time: start + real elapsed × speed, plus explicit jumps. A day of
 * shopping passes in seconds; webhook timestamps come from this clock.
 */
export class Clock {
  private readonly startedReal = Date.now();
  private readonly startedSim: number;
  private jumped = 0;
  /** Called with the simulated milliseconds skipped by advance(), so the app's timers can follow. */
  onAdvance: ((ms: number) => Promise<void> | void) | null = null;

  constructor(
    readonly speed = 1,
    start: Date = new Date(),
  ) {
    this.startedSim = start.getTime();
  }

  now(): Date {
    return new Date(this.startedSim + (Date.now() - this.startedReal) * this.speed + this.jumped);
  }

  /** Lets simulated time pass: sleeps a little in real time and jumps the rest. */
  async advance(ms: number): Promise<void> {
    const realMs = Math.min(ms / this.speed, 300);
    await new Promise((resolve) => setTimeout(resolve, realMs));
    const covered = realMs * this.speed;
    this.jumped += Math.max(0, ms - covered);
    await this.onAdvance?.(ms);
  }
}

export interface ScenarioLog {
  /** Simulated time of the step. */
  at: Date;
  shopper: string;
  action: string;
  topic?: string;
  /** HTTP status of the webhook delivery (after retries). */
  status?: number;
  eventId?: string;
}

export const SCENARIOS = ["party-week"] as const;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Scripted shoppers: browse, cart, checkout with or without email, abandon, return and order, fulfilment, delivery, consent. */
export async function runScenario(simulator: Simulator, name: string): Promise<ScenarioLog[]> {
  if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`unknown scenario ${name}; known: ${SCENARIOS.join(", ")}`);
  const { store, clock } = simulator;
  const log = simulator.scenarioLog;
  const firstEntry = log.length;
  const byHandle = (handle: string) => store.products.find((product) => product.handle === handle)!;
  const customerWith = (locale: string, state: SimCustomer["marketingState"], skip = 0) =>
    store.customers.filter((customer) => customer.locale === locale && customer.marketingState === state)[skip];

  async function send(shopper: string, action: string, topic: string, payload: unknown, at = clock.now()) {
    const [delivery] = await simulator.sendWebhook(topic, payload, { triggeredAt: at });
    log.push({ at, shopper, action, topic, status: delivery?.status, eventId: delivery?.eventId });
  }
  /** Storefront activity Shopify sends no webhook for (the web pixel would see it). */
  function browse(shopper: string, products: SimProduct[]) {
    log.push({ at: clock.now(), shopper, action: `browses ${products.map((product) => product.title).join(", ")}` });
  }

  const line = (product: SimProduct, quantity = 1, variant = 0): CartLine => ({ product, variantId: product.variants[variant].id, quantity });

  function newCart(lines: CartLine[]): SimCart {
    const now = clock.now();
    return { token: randomBytes(16).toString("hex"), lines, createdAt: now, updatedAt: now };
  }
  function newCheckout(cart: SimCart, customer: SimCustomer | null, email: string | null): SimCheckout {
    const now = clock.now();
    return { token: randomBytes(16).toString("hex"), cartToken: cart.token, email, customer, locale: customer?.locale ?? "en", lines: cart.lines, createdAt: now, updatedAt: now, completedAt: null };
  }
  /** Completes a checkout; a usable code (for this customer, within its dates and limits) is applied. */
  function placeOrder(checkout: SimCheckout, code?: string): SimOrder {
    const now = clock.now();
    checkout.completedAt = now;
    checkout.updatedAt = now;
    const discount = code ? store.find.discount(code) : undefined;
    const usable =
      discount &&
      (discount.usageLimit === null || discount.usageCount < discount.usageLimit) &&
      (!discount.endsAt || new Date(discount.endsAt) > now) &&
      (!discount.customerIds.length || (checkout.customer && discount.customerIds.includes(`gid://shopify/Customer/${checkout.customer.id}`)));
    const order: SimOrder = {
      id: store.nextId(),
      name: `#${1001 + store.orders.length}`,
      customerId: checkout.customer?.id ?? null,
      email: checkout.email,
      lineItems: checkout.lines.map((cartLine) => {
        const variant = cartLine.product.variants.find((v) => v.id === cartLine.variantId)!;
        return {
          id: store.nextId(),
          productId: cartLine.product.id,
          variantId: variant.id,
          title: cartLine.product.title,
          variantTitle: variant.title,
          quantity: cartLine.quantity,
          price: variant.price,
          sku: variant.sku,
          giftCard: cartLine.product.giftCard,
        };
      }),
      discountCodes: usable ? [discount.code] : [],
      totalDiscount: 0,
      checkoutToken: checkout.token,
      cartToken: checkout.cartToken,
      createdAt: now,
      updatedAt: now,
      financialStatus: "paid",
      fulfillmentStatus: null,
      customerLocale: checkout.locale,
    };
    if (usable) {
      order.totalDiscount = discountAmount(discount, orderSubtotal(order));
      discount.usageCount++;
    }
    store.orders.push(order);
    return order;
  }
  async function touch(shopper: string, action: string, checkout: SimCheckout) {
    checkout.updatedAt = clock.now();
    await send(shopper, action, "checkouts/update", checkoutPayload(store, checkout, "checkouts/update"));
  }

  // 1. Ava (English, subscribed) fills a birthday cart, starts checkout, edits it a few times and leaves.
  const ava = customerWith("en", "SUBSCRIBED");
  browse(ava.firstName, [byHandle("gold-number-balloons"), byHandle("birthday-candles-24"), byHandle("chocolate-party-cake")]);
  const avaCart = newCart([line(byHandle("gold-number-balloons")), line(byHandle("birthday-candles-24"), 2)]);
  await send(ava.firstName, "adds balloons and candles to the cart", "carts/create", cartPayload(store, avaCart, "carts/create"));
  await clock.advance(3 * MINUTE);
  avaCart.lines.push(line(byHandle("happy-birthday-banner")));
  avaCart.updatedAt = clock.now();
  await send(ava.firstName, "adds a banner", "carts/update", cartPayload(store, avaCart, "carts/update"));
  const avaCheckout = newCheckout(avaCart, ava, ava.email);
  await send(ava.firstName, "starts checkout with her email", "checkouts/create", checkoutPayload(store, avaCheckout, "checkouts/create"));
  for (let i = 0; i < 3; i++) {
    await clock.advance(2 * MINUTE);
    await touch(ava.firstName, `edits checkout (${i + 1})`, avaCheckout);
  }

  // 2. Minji (Korean, subscribed) abandons a cake checkout but returns within the hour and buys.
  const minji = customerWith("ko", "SUBSCRIBED");
  const minjiCart = newCart([line(byHandle("unicorn-cake")), line(byHandle("cake-topper-unicorn"))]);
  await send(minji.firstName, "adds a unicorn cake", "carts/create", cartPayload(store, minjiCart, "carts/create"));
  const minjiCheckout = newCheckout(minjiCart, minji, minji.email);
  await send(minji.firstName, "starts checkout", "checkouts/create", checkoutPayload(store, minjiCheckout, "checkouts/create"));

  // 3. A guest starts checkout without an email and leaves: nobody to remind.
  const guestCart = newCart([line(byHandle("confetti-poppers-6"), 3)]);
  await send("Guest", "adds confetti poppers", "carts/create", cartPayload(store, guestCart, "carts/create"));
  await send("Guest", "starts checkout without an email", "checkouts/create", checkoutPayload(store, newCheckout(guestCart, null, null), "checkouts/create"));

  // 4. Ploy (Thai, subscribed) abandons a Halloween checkout.
  const ploy = customerWith("th", "SUBSCRIBED");
  const ployCart = newCart([line(byHandle("witch-costume"), 1, 1), line(byHandle("face-paint-kit"))]);
  await send(ploy.firstName, "adds a witch costume and face paint", "carts/create", cartPayload(store, ployCart, "carts/create"));
  const ployCheckout = newCheckout(ployCart, ploy, ploy.email);
  await send(ploy.firstName, "starts checkout", "checkouts/create", checkoutPayload(store, ployCheckout, "checkouts/create"));

  // 5. An unsubscribed shopper abandons a checkout: no marketing email may go out.
  const noConsent = customerWith("en", "UNSUBSCRIBED");
  const noConsentCart = newCart([line(byHandle("pirate-costume"), 1, 2)]);
  await send(noConsent.firstName, "adds a pirate costume", "carts/create", cartPayload(store, noConsentCart, "carts/create"));
  const noConsentCheckout = newCheckout(noConsentCart, noConsent, noConsent.email);
  await send(noConsent.firstName, "starts checkout (unsubscribed from marketing)", "checkouts/create", checkoutPayload(store, noConsentCheckout, "checkouts/create"));

  await clock.advance(30 * MINUTE);
  const minjiOrder = placeOrder(minjiCheckout);
  await send(minji.firstName, "comes back and orders", "orders/create", orderPayload(store, minjiOrder, "orders/create"));
  await send(minji.firstName, "payment captured", "orders/paid", orderPayload(store, minjiOrder, "orders/paid"));

  // 6. A shopper changes their mind about marketing email.
  const changer = customerWith("en", "SUBSCRIBED", 5);
  changer.marketingState = "UNSUBSCRIBED";
  changer.marketingUpdatedAt = clock.now();
  changer.updatedAt = clock.now();
  store.consentChanges.push({ customerId: changer.id, state: "UNSUBSCRIBED", at: clock.now(), source: "storefront" });
  await send(changer.firstName, "unsubscribes from marketing", "customers_email_marketing_consent/update", consentPayload(changer));
  await send(changer.firstName, "profile updated", "customers/update", customerWebhookPayload(changer));

  // 7. The merchant restocks and reprices a product.
  const restocked = byHandle("party-hats-8");
  restocked.variants[0].price += 100;
  restocked.updatedAt = clock.now();
  await send("Merchant", "reprices party hats", "products/update", productPayload(store, restocked));

  // 8. An hour passes: abandoned checkouts reach their first reminder.
  await clock.advance(75 * MINUTE);

  // 9. Ploy returns the next day and orders; Minji's order ships and is delivered.
  await clock.advance(3 * HOUR);
  const ployOrder = placeOrder(ployCheckout);
  await send(ploy.firstName, "returns and orders", "orders/create", orderPayload(store, ployOrder, "orders/create"));
  await send(ploy.firstName, "payment captured", "orders/paid", orderPayload(store, ployOrder, "orders/paid"));

  const fulfillment: SimFulfillment = { id: store.nextId(), orderId: minjiOrder.id, status: "success", shipmentStatus: "confirmed", trackingCompany: "UPS", createdAt: clock.now(), updatedAt: clock.now() };
  store.fulfillments.push(fulfillment);
  minjiOrder.fulfillmentStatus = "fulfilled";
  await send("Merchant", `ships ${minjiOrder.name}`, "fulfillments/create", fulfillmentPayload(store, fulfillment, "fulfillments/create"));
  await clock.advance(2 * 24 * HOUR);
  // One instant for the payload and the delivery header: on a fast clock every real millisecond is minutes.
  const deliveredAt = clock.now();
  Object.assign(fulfillment, { shipmentStatus: "delivered", updatedAt: deliveredAt });
  await send("Carrier", `delivers ${minjiOrder.name}`, "fulfillments/update", fulfillmentPayload(store, fulfillment, "fulfillments/update"), deliveredAt);

  // 10. Ava comes back two days after leaving, with the recovery code the app made for her if there is one.
  const avaCode = [...store.discounts].reverse().find((discount) => discount.createdBy === "app" && discount.customerIds.includes(`gid://shopify/Customer/${ava.id}`));
  browse(ava.firstName, [byHandle("gold-number-balloons")]);
  const avaOrder = placeOrder(avaCheckout, avaCode?.code);
  await send(ava.firstName, avaOrder.discountCodes.length ? `comes back and orders with code ${avaOrder.discountCodes[0]}` : "comes back and orders", "orders/create", orderPayload(store, avaOrder, "orders/create"));
  await send(ava.firstName, "payment captured", "orders/paid", orderPayload(store, avaOrder, "orders/paid"));

  // 11. A new shopper signs up for the newsletter.
  const now = clock.now();
  const newcomer: SimCustomer = {
    id: store.nextId(),
    email: `jiwoo.park.${store.customers.length}@example.com`,
    phone: null,
    firstName: "Jiwoo",
    lastName: "Park",
    locale: "ko",
    marketingState: "SUBSCRIBED",
    marketingUpdatedAt: now,
    tags: ["newsletter"],
    createdAt: now,
    updatedAt: now,
  };
  store.customers.push(newcomer);
  store.consentChanges.push({ customerId: newcomer.id, state: "SUBSCRIBED", at: now, source: "storefront" });
  await send(newcomer.firstName, "creates an account", "customers/create", customerWebhookPayload(newcomer, "customers/create"));
  await send(newcomer.firstName, "subscribes to marketing email", "customers_email_marketing_consent/update", consentPayload(newcomer));
  return log.slice(firstEntry);
}
