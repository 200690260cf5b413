import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { deliver, drainJobs, installShop, samplePayload } from "../support/shopify";
import { customer, sendRequest } from "../email/support/email-fixtures";
import { readFile } from "node:fs/promises";
import { saveScreenshot, seriousA11yViolations, sessionToken, startAdminBrowser, type AdminBrowser } from "../support/admin-browser";

// Every admin page as a merchant sees it, in Chromium against the production build
// (tests/support/admin-browser.ts). One file: the build writes build/, and vitest runs files in parallel.
let admin: AdminBrowser;

beforeAll(async () => {
  admin = await startAdminBrowser();
}, 240_000);

afterAll(async () => {
  await admin?.close();
});

// ---------------------------------------------------------------------------
// Customers also bought (app.recommendations)
// ---------------------------------------------------------------------------
const SHOP = "admin-page.myshopify.com";

const products = [
  ["7001", "Chocolate Party Cake"],
  ["7002", "Cake Knife Set"],
  ["7003", "Birthday Candles 100% Wax"],
  ["7004", "Confetti Poppers"],
  ["7005", "Pirate Costume"],
  ["7006", "Party Hats (8)"],
] as const;

beforeAll(async () => {
  await installShop(SHOP);
  const { default: prisma } = await import("../../app/db.server");
  for (const [id, title] of products) await prisma.product.create({ data: { shop: SHOP, id, title, handle: title.toLowerCase().replace(/[^a-z0-9]+/g, "-"), status: "active", priceMinor: 1000, currency: "USD" } });
  await prisma.product.create({ data: { shop: SHOP, id: "7009", title: "Cake Stand (deleted)", status: "deleted", deletedAt: new Date() } });
  const list = [["7006", 0.41, "copurchase"], ["7004", 0.33, "copurchase"], ["7003", 0.12, "product_type"]] as const;
  await prisma.productRecommendation.createMany({ data: list.map(([rec, score, source], rank) => ({ shop: SHOP, productId: "7001", recommendedProductId: rec, rank, score, source })) });
  await prisma.recommendationStatus.create({ data: { shop: SHOP, state: "ready", lastComputedAt: new Date(), ordersCovered: 3210, productsCovered: 5, catalogSize: 6 } });
});

describe("the product picker's search", () => {
  it("matches titles case-insensitively, those starting with the text first, LIKE's wildcards literally, never deleted products", async () => {
    const { searchProducts } = await import("../../app/recommendations/admin.server");
    expect((await searchProducts(SHOP, "CAKE")).map((p) => p.title)).toEqual(["Cake Knife Set", "Chocolate Party Cake"]);
    expect((await searchProducts(SHOP, "%")).map((p) => p.title)).toEqual(["Birthday Candles 100% Wax"]);
    expect(await searchProducts(SHOP, "_")).toEqual([]);
    expect((await searchProducts(SHOP, "")).length).toBe(products.length);
    expect(await searchProducts("another-shop.myshopify.com", "cake")).toEqual([]);
  });
});

describe("the recommendations page in the admin (Chromium)", { retry: 1 }, () => {
  it("finds a product by title, shows its list with scores and sources, and saves pins picked by title", async () => {
    const page = await admin.openAdminPage("/app/recommendations", SHOP);
    await page.getByText("3,210 orders").waitFor();

    // The picker searches the catalog as the merchant types; a deleted product is never offered.
    await page.getByRole("combobox", { name: "Product" }).fill("cake");
    const options = page.getByRole("option");
    await expect.poll(() => options.allTextContents()).toEqual(["Cake Knife Set", "Chocolate Party Cake"]);
    await page.getByRole("option", { name: "Chocolate Party Cake" }).click();
    await page.getByRole("heading", { name: "Chocolate Party Cake" }).waitFor();
    expect(new URL(page.url()).searchParams.get("product")).toBe("7001");
    const rows = page.locator(".Polaris-DataTable__TableRow");
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.first().innerText()).toMatch(/Party Hats \(8\)\s+0\.4100\s+copurchase/);

    // Pins are picked by title, in order; a title with LIKE's wildcard characters is matched literally.
    await page.getByRole("combobox", { name: "Pinned products" }).fill("100%");
    await page.getByRole("option", { name: "Birthday Candles 100% Wax" }).click();
    await page.getByRole("combobox", { name: "Pinned products" }).fill("knife");
    await page.getByRole("option", { name: "Cake Knife Set" }).click();
    await page.keyboard.press("Escape");
    expect(await page.locator(".Polaris-Tag").allTextContents()).toEqual(["Birthday Candles 100% Wax", "Cake Knife Set"]);

    await saveScreenshot(page, "recommendations");
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByRole("button", { name: "Save pins and exclusions" }).click();
    await page.getByText("Saved: the list is being recomputed.").waitFor();
    const { default: prisma } = await import("../../app/db.server");
    expect(await prisma.recommendationOverride.findUniqueOrThrow({ where: { shop_productId: { shop: SHOP, productId: "7001" } } })).toMatchObject({ pinned: ["7003", "7002"], excluded: [] });
    await page.close();
  });
});

// ---------------------------------------------------------------------------
// The other pages a merchant sees. Each has its own shop, seeded through the app's
// modules (webhooks, sending, flow settings) or Prisma where the app has no writer.
// ---------------------------------------------------------------------------
const db = async () => (await import("../../app/db.server")).default;
const rowsOf = (page: Page, table: Locator | Page = page) => table.locator(".Polaris-DataTable__TableRow");
/** Text as a merchant reads it: a Polaris Badge also carries its tone ("Success") as text for screen readers only. */
const seen = (text: string) => text.replace(/\b(Success|Info|Attention|Warning|Critical)\n/g, "").split(/\s+/).join(" ").trim();
const figureOf = (page: Page, label: Locator) => page.locator(".Polaris-InlineGrid > *").filter({ has: label }).locator("p").last().innerText();
/** The outcome of a save, shown beside the Save button (not in a banner at the top of a long form). */
async function expectOutcomeBesideSave(page: Page, text: string) {
  const outcome = page.getByRole("status").filter({ hasText: text });
  await outcome.waitFor();
  const [save, said] = await Promise.all([page.getByRole("button", { name: "Save", exact: true }).boundingBox(), outcome.boundingBox()]);
  expect(save && said && Math.abs(save.y + save.height / 2 - (said.y + said.height / 2)) < save.height).toBe(true);
  expect(save && said && said.x - (save.x + save.width)).toBeLessThan(60);
}
/** The page header's back link: Polaris's icon-only Button, whose name would come from backAction.content. */
const backLinkName = (page: Page) => page.locator(".Polaris-Page-Header__BreadcrumbWrapper a").evaluate((a) => (a.getAttribute("aria-label") ?? a.textContent ?? "").trim());

interface RunSeed {
  subjectKey: string;
  email: string;
  state: string;
  exitReason?: string;
  revenueMinor?: number;
  minutesAgo: number;
  steps?: Array<[key: string, status: string, reason?: string]>;
  /** The run's email, as the send ledger has it. */
  message?: { stepKey: string; status: string; opened?: boolean; clicked?: boolean };
}

/** Flow runs with their steps and emails, the rows the flow pages count and list. */
async function seedRuns(shop: string, flowKey: string, runs: RunSeed[]) {
  const prisma = await db();
  for (const run of runs) {
    const id = randomUUID();
    const startedAt = new Date(Date.now() - run.minutesAgo * 60_000);
    await prisma.flowRun.create({
      data: {
        id, shop, flowKey, subjectKey: run.subjectKey, email: run.email, state: run.state, exitReason: run.exitReason ?? null, anchorAt: startedAt, startedAt,
        revenueMinor: run.revenueMinor ?? null, currency: run.revenueMinor ? "USD" : null,
        steps: { create: (run.steps ?? []).map(([stepKey, status, reason]) => ({ shop, stepKey, status, reason: reason ?? null })) },
      },
    });
    if (run.message) {
      const { stepKey, status, opened, clicked } = run.message;
      await prisma.emailMessage.create({
        data: { id: randomUUID(), shop, sendKey: `${id}:${stepKey}`, flowId: flowKey, flowRunId: id, stepKey, email: run.email, status, sentAt: startedAt, openedAt: opened ? new Date() : null, clickedAt: clicked ? new Date() : null },
      });
    }
  }
}

describe("home (app._index)", () => {
  const shop = "home-page.myshopify.com";
  beforeAll(async () => {
    await installShop(shop, { name: "Crumb & Co" });
    const prisma = await db();
    await prisma.customer.createMany({ data: ["1", "2", "3"].map((id) => ({ shop, id, email: `c${id}@example.com` })) });
    await prisma.order.createMany({ data: ["11", "12"].map((id) => ({ shop, id, shopifyCreatedAt: new Date() })) });
    await prisma.order.create({ data: { shop, id: "13", shopifyCreatedAt: new Date(), deletedAt: new Date() } });
    await prisma.checkout.createMany({ data: [{ shop, token: "open-1" }, { shop, token: "done-1", completedAt: new Date(), orderId: "11" }] });
    await prisma.product.createMany({ data: ["21", "22", "23", "24"].map((id) => ({ shop, id, title: `Product ${id}` })) });
    await prisma.product.create({ data: { shop, id: "25", title: "Gone", status: "deleted", deletedAt: new Date() } });
  });

  it("greets the shop by name, sums up what Pathwise holds, and links to store activity", async () => {
    const page = await admin.openAdminPage("/app", shop);
    await page.getByRole("heading", { name: "Pathwise for Crumb & Co" }).waitFor();
    await expect.poll(() => page.getByText(/orders, .* customers/).innerText()).toBe("2 orders, 3 customers, 1 open checkout and 4 products so far.");
    // No flow is on: the page says so and offers the next step.
    await page.getByText("No flow is on yet, so Pathwise is not emailing any shoppers.", { exact: false }).waitFor();
    expect(await page.getByText("0 runs started, 0 orders placed").count()).toBe(2);
    await saveScreenshot(page, "home");
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByRole("link", { name: "See store activity" }).click();
    await page.getByRole("heading", { name: "Store activity" }).waitFor();
    await page.goBack();
    await page.getByRole("link", { name: "Turn on a flow" }).click();
    await page.getByRole("heading", { name: "Flows", exact: true }).waitFor();
    await page.close();
  });
});

describe("flows list (app.flows._index)", () => {
  const shop = "flows-page.myshopify.com";
  beforeAll(async () => {
    await installShop(shop);
    const { saveFlow } = await import("../../app/flows/abandoned-checkout.server");
    const { defaultAbandonedCheckoutSettings } = await import("../../app/flows/settings");
    await saveFlow(shop, true, defaultAbandonedCheckoutSettings());
    await seedRuns(shop, "abandoned_checkout", [
      { subjectKey: "chk-1", email: "ada@example.com", state: "converted", revenueMinor: 4500, minutesAgo: 30 },
      { subjectKey: "chk-2", email: "ben@example.com", state: "waiting", minutesAgo: 20 },
    ]);
  });

  it("shows each flow with its switch and figures, and opens a flow's page", async () => {
    const page = await admin.openAdminPage("/app/flows", shop);
    await page.getByRole("heading", { name: "Flows", exact: true }).waitFor();
    const abandoned = page.locator(".Polaris-Layout__Section").filter({ hasText: "Abandoned checkout recovery" });
    const crossSell = page.locator(".Polaris-Layout__Section").filter({ hasText: "Cross-sell: you might also like" });
    expect(seen(await abandoned.locator(".Polaris-Badge").innerText())).toBe("On");
    expect(await abandoned.innerText()).toContain("2 started · 1 converted");
    expect(seen(await crossSell.locator(".Polaris-Badge").innerText())).toBe("Off");
    expect(await crossSell.innerText()).toContain("0 started · 0 converted");
    await saveScreenshot(page, "flows");
    expect(await seriousA11yViolations(page)).toEqual([]);

    await abandoned.getByRole("link").click();
    await page.waitForURL((url) => url.pathname === "/app/flows/abandoned-checkout");
    await page.getByRole("heading", { level: 1, name: "Abandoned checkout recovery" }).waitFor();
    await page.close();
  });

  it("sums up each flow on home, its latest run in plain words, with no nudge once a flow is on", async () => {
    const page = await admin.openAdminPage("/app", shop);
    await page.getByRole("link", { name: "Manage flows" }).waitFor();
    await page.getByText("2 runs started, 1 order placed · Latest: Waiting to send").waitFor();
    expect(await page.getByText("No flow is on yet", { exact: false }).count()).toBe(0);
    await saveScreenshot(page, "home-flows-on");
    await page.close();
  });
});

describe("abandoned checkout flow (app.flows.abandoned-checkout)", () => {
  const shop = "checkout-flow-page.myshopify.com";
  beforeAll(async () => {
    await installShop(shop, { name: "Crumb & Co" });
    const prisma = await db();
    await prisma.product.createMany({ data: [["31", "Sourdough Loaf"], ["32", "Rye Crackers"]].map(([id, title]) => ({ shop, id, title, handle: title.toLowerCase().replace(/ /g, "-"), priceMinor: 850, currency: "USD" })) });
    const { saveFlow } = await import("../../app/flows/abandoned-checkout.server");
    const { defaultAbandonedCheckoutSettings } = await import("../../app/flows/settings");
    await saveFlow(shop, true, defaultAbandonedCheckoutSettings());
    await seedRuns(shop, "abandoned_checkout", [
      { subjectKey: "chk-1", email: "ada@example.com", state: "converted", exitReason: "ordered", revenueMinor: 4500, minutesAgo: 10, steps: [["email_1", "sent"]], message: { stepKey: "email_1", status: "sent", opened: true, clicked: true } },
      { subjectKey: "chk-2", email: "ben@example.com", state: "waiting", minutesAgo: 20, steps: [["email_1", "sent"]], message: { stepKey: "email_1", status: "captured", opened: true } },
      { subjectKey: "chk-3", email: "cy@example.com", state: "skipped", exitReason: "no_consent", minutesAgo: 30, steps: [["email_1", "skipped", "no_consent"]] },
    ]);
  });

  it("shows the flow's figures, its recent runs and a preview of the email with the shop's products", async () => {
    const page = await admin.openAdminPage("/app/flows/abandoned-checkout", shop);
    await page.getByRole("heading", { name: "Abandoned checkout recovery" }).waitFor();
    const figure = (label: string) => figureOf(page, page.getByText(label, { exact: true }));
    expect({ started: await figure("Started"), sent: await figure("Sent"), opened: await figure("Opened"), clicked: await figure("Clicked"), converted: await figure("Converted"), revenue: await figure("Attributed revenue") })
      .toEqual({ started: "3", sent: "2", opened: "2", clicked: "1", converted: "1", revenue: "$45.00" });
    const rows = rowsOf(page);
    expect(await rows.count()).toBe(3);
    const newest = await rows.first().innerText();
    for (const text of ["ada@example.com", "Converted: the customer placed an order", "Email 1: Sent", "$45.00"]) expect(newest).toContain(text);
    // States, reasons and steps in plain words: no raw codes.
    const skipped = seen(await rows.filter({ hasText: "cy@example.com" }).innerText());
    expect(skipped).toContain("Not emailed: the customer has not agreed to marketing email");
    expect(skipped).toContain("Email 1: Not sent: the customer has not agreed to marketing email");
    expect(await page.locator(".Polaris-DataTable").innerText()).not.toMatch(/email_1|no_consent|no consent|skipped/);
    expect(await page.getByText("Orders credited to this flow's emails").count()).toBe(1);
    // Copy fields are named by language, and say which placeholders they can use.
    expect(await page.locator('input[name="step_1_subject_ko"]').getAttribute("id")).toBe(await page.getByLabel("Subject (Korean)").first().getAttribute("id"));
    expect(await page.getByLabel("Preview text (Thai)").count()).toBe(3);
    expect(await page.getByText(/^Subject and preview text can use \{\{first_name\}\}.*\{\{discount_percent\}\}/).count()).toBe(1);
    expect(await page.getByText(/^Subject and preview text can use \{\{first_name\}\}/).count()).toBe(3);
    expect(await page.getByLabel("Send abandoned checkout reminders").isChecked()).toBe(true);
    expect(await page.locator('input[name="step_1_delay_hours"]').inputValue()).toBe("1");
    // The preview is a sandboxed srcdoc frame (no scripts run in it): its HTML is read from the attribute.
    expect(await page.locator('iframe[title="Email preview"]').getAttribute("srcdoc")).toContain("Sourdough Loaf");
    await saveScreenshot(page, "abandoned-checkout");
    expect(await backLinkName(page)).toBe("Flows");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });

  it("refuses a zero delay on the field, then saves a valid one", async () => {
    const page = await admin.openAdminPage("/app/flows/abandoned-checkout", shop);
    const delay = page.locator('input[name="step_1_delay_hours"]');
    await delay.fill("0");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expectOutcomeBesideSave(page, "Please fix the highlighted fields");
    await page.getByText("The delay must be at least 1 minute (0.02 hours)").waitFor();
    expect(await delay.getAttribute("aria-invalid")).toBe("true");
    await saveScreenshot(page, "abandoned-checkout-error");
    const { getFlow } = await import("../../app/flows/abandoned-checkout.server");
    expect((await getFlow(shop)).settings.steps[0].delayMinutes).toBe(60);

    await delay.fill("2");
    await page.locator('input[name="step_2_discount_percent"]').fill("15");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expectOutcomeBesideSave(page, "Saved");
    expect(await page.getByText("The delay must be at least 1 minute (0.02 hours)").count()).toBe(0);
    const saved = await getFlow(shop);
    expect({ delay: saved.settings.steps[0].delayMinutes, percent: saved.settings.steps[1].discount?.percent }).toEqual({ delay: 120, percent: 15 });
    await page.close();
  });

  // Polaris's Checkbox renders value="" unless given one: a checked box posted enabled="", read as off.
  it("keeps the flow, email 2 and its discount on through a save", async () => {
    const { getFlow, saveFlow } = await import("../../app/flows/abandoned-checkout.server");
    const { defaultAbandonedCheckoutSettings } = await import("../../app/flows/settings");
    await saveFlow(shop, true, defaultAbandonedCheckoutSettings());
    const page = await admin.openAdminPage("/app/flows/abandoned-checkout", shop);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Saved", { exact: true }).waitFor();
    await page.close();
    const { enabled, settings } = await getFlow(shop);
    expect({ enabled, email2: settings.steps[1].enabled, discount: settings.steps[1].discount?.enabled }).toEqual({ enabled: true, email2: true, discount: true });
  });
});

describe("cross-sell flow (app.flows.cross-sell)", () => {
  const shop = "cross-sell-page.myshopify.com";
  beforeAll(async () => {
    await installShop(shop);
    await (await db()).order.create({ data: { shop, id: "5001", name: "#1001", shopifyCreatedAt: new Date() } });
    await seedRuns(shop, "cross_sell", [
      { subjectKey: "5001", email: "dee@example.com", state: "converted", revenueMinor: 3000, minutesAgo: 10, message: { stepKey: "email", status: "sent", opened: true, clicked: true } },
      { subjectKey: "5002", email: "eve@example.com", state: "waiting", minutesAgo: 20 },
    ]);
  });

  it("shows the flow's figures and recent runs", async () => {
    const page = await admin.openAdminPage("/app/flows/cross-sell", shop);
    await page.getByRole("heading", { name: "Cross-sell: you might also like" }).waitFor();
    const figure = (label: string) => figureOf(page, page.getByText(label, { exact: true }));
    expect({ started: await figure("Started"), sent: await figure("Sent"), converted: await figure("Converted"), revenue: await figure("Attributed revenue") }).toEqual({ started: "2", sent: "1", converted: "1", revenue: "$30.00" });
    const rows = rowsOf(page);
    expect(await rows.count()).toBe(2);
    const newest = await rows.first().innerText();
    for (const text of ["dee@example.com", "Converted", "$30.00"]) expect(newest).toContain(text);
    // The order by its name, linked to it in the Shopify admin; an order Pathwise does not hold keeps its id.
    expect(await rows.first().getByRole("link", { name: "#1001" }).getAttribute("href")).toBe("shopify:admin/orders/5001");
    expect(await rows.nth(1).getByRole("link", { name: "5002" }).getAttribute("href")).toBe("shopify:admin/orders/5002");
    expect(seen(await rows.nth(1).innerText())).toContain("Waiting to send");
    expect(await page.getByLabel("Subject (Thai)").count()).toBe(1);
    expect(await page.getByText("Subject and preview text can use {{first_name}} (the shopper's first name, or \"there\") and {{shop_name}} (your store's name).").count()).toBe(1);
    expect(await page.getByLabel("Send", { exact: true }).inputValue()).toBe("delivery");
    await saveScreenshot(page, "cross-sell");
    expect(await backLinkName(page)).toBe("Flows");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });

  it("refuses too many products on the field, then saves valid settings", async () => {
    const page = await admin.openAdminPage("/app/flows/cross-sell", shop);
    const count = page.getByLabel("Products in the email");
    await count.fill("20");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expectOutcomeBesideSave(page, "Please fix the highlighted fields");
    await page.getByText("At most 8 products").waitFor();
    expect(await count.getAttribute("aria-invalid")).toBe("true");
    const { getCrossSell } = await import("../../app/flows/cross-sell.server");
    expect((await getCrossSell(shop)).settings.productCount).toBe(4);

    await count.fill("6");
    await page.getByLabel("Send", { exact: true }).selectOption("purchase");
    await page.getByLabel("Wait (days)").fill("3");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expectOutcomeBesideSave(page, "Saved");
    const saved = await getCrossSell(shop);
    expect({ trigger: saved.settings.trigger, delayDays: saved.settings.delayDays, productCount: saved.settings.productCount }).toEqual({ trigger: "purchase", delayDays: 3, productCount: 6 });
    await page.close();
  });

  // The same Checkbox value="": "Send cross-sell emails" posted enabled="", so the flow could not be switched on.
  it("switches the flow on when the merchant ticks it and saves", async () => {
    const page = await admin.openAdminPage("/app/flows/cross-sell", shop);
    await page.getByLabel("Send cross-sell emails").check();
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Saved", { exact: true }).waitFor();
    await page.close();
    const { getCrossSell } = await import("../../app/flows/cross-sell.server");
    expect((await getCrossSell(shop)).enabled).toBe(true);
  });
});

describe("store activity (app.activity)", () => {
  const shop = "activity-page.myshopify.com";
  beforeAll(async () => {
    await installShop(shop);
    const customer = { id: 4242, email: "ana@example.com", first_name: "Ana", last_name: "Lee" };
    await deliver({ shop, topic: "customers/create", body: { ...samplePayload("customers/create"), ...customer } });
    await deliver({ shop, topic: "checkouts/create", body: { ...samplePayload("checkouts/create"), token: "chk-activity", email: customer.email, customer } });
    await deliver({ shop, topic: "orders/create", body: { ...samplePayload("orders/create"), id: 8801, email: customer.email, customer } });
    await drainJobs();
    await deliver({ shop, topic: "orders/updated", body: null, rawBody: '{"id": 8801, "line_items": [' });
  });

  it("counts what the store sent, lists deliveries by topic and the latest ones with their status", async () => {
    const page = await admin.openAdminPage("/app/activity", shop);
    await page.getByRole("heading", { name: "Store activity" }).waitFor();
    const figure = (label: string) => figureOf(page, page.getByRole("heading", { name: label, exact: true }));
    // Sentence-case labels.
    expect({ customers: await figure("Customers"), orders: await figure("Orders"), checkouts: await figure("Checkouts"), open: await figure("Open checkouts") }).toEqual({ customers: "1", orders: "1", checkouts: "1", open: "1" });
    // Topics and statuses readable, each topic's code beneath it for operators.
    const byTopic = rowsOf(page, page.locator(".Polaris-DataTable").filter({ hasText: "Deliveries" }).first());
    expect((await byTopic.allInnerTexts()).map(seen)).toEqual(
      expect.arrayContaining(["Order placed orders/create Processed 1", "Order updated orders/updated Unreadable 1", "Customer created customers/create Processed 1", "Checkout started checkouts/create Processed 1"]),
    );
    const latest = rowsOf(page, page.locator(".Polaris-DataTable").filter({ hasText: "Note" }));
    expect(await latest.count()).toBe(4);
    const malformed = seen(await latest.first().innerText());
    expect(malformed).toMatch(/^\S.* Order updated orders\/updated Unreadable Shopify sent this update garbled or cut off, so Pathwise could not read it\. It is kept for inspection and was not acted on\. Detail: body is not valid JSON/);
    expect(await latest.first().locator("code").innerText()).toBe("orders/updated");
    await saveScreenshot(page, "activity");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });
});

describe("privacy requests (app.privacy)", () => {
  const shop = "privacy-page.myshopify.com";
  beforeAll(async () => {
    await installShop(shop);
    await installShop("privacy-empty.myshopify.com");
    const customer = { id: 4242, email: "ana@example.com", first_name: "Ana", last_name: "Lee" };
    await deliver({ shop, topic: "customers/create", body: { ...samplePayload("customers/create"), ...customer } });
    await deliver({ shop, topic: "orders/create", body: { ...samplePayload("orders/create"), id: 8801, email: customer.email, customer } });
    await drainJobs();
    await deliver({ shop, topic: "customers/data_request", body: { ...samplePayload("customers/data_request"), shop_domain: shop, customer: { id: customer.id, email: customer.email }, orders_requested: [8801] } });
    await drainJobs();
  });

  it("shows each customer's export, ready to send them", async () => {
    const page = await admin.openAdminPage("/app/privacy", shop);
    await page.getByRole("heading", { name: "Customer data requests" }).waitFor();
    await page.getByRole("heading", { name: /^ana@example\.com · / }).waitFor();
    const exported = await page.locator("pre").innerText();
    expect(exported).toContain('"email": "ana@example.com"');
    expect(exported).toContain('"8801"');
    await page.getByText("1 order, 0 checkouts, 0 emails", { exact: true }).waitFor();
    // The export downloads as a JSON file, through the session-token-authenticated resource route.
    const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download JSON" }).click()]);
    const { default: prisma } = await import("../../app/db.server");
    const { id } = await prisma.dataRequest.findFirstOrThrow({ where: { shop } });
    expect(file.suggestedFilename()).toBe(`customer-data-request-${id}.json`);
    expect(JSON.parse(await readFile(await file.path(), "utf8"))).toMatchObject({ store: { customer: { email: "ana@example.com" }, orders: [expect.objectContaining({ id: "8801" })] } });
    await saveScreenshot(page, "privacy");
    // The export scrolls: a keyboard can reach it.
    expect(await page.getByLabel("Export for ana@example.com").getAttribute("tabindex")).toBe("0");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });

  it("serves an export only to its own shop: another shop's session gets 404 for the same id", async () => {
    const { default: prisma } = await import("../../app/db.server");
    const { id } = await prisma.dataRequest.findFirstOrThrow({ where: { shop } });
    const get = (asShop: string, requestId = id.toString()) =>
      fetch(`${admin.origin}/app/privacy/${requestId}/download`, { headers: { authorization: `Bearer ${sessionToken(asShop)}`, "user-agent": "Mozilla/5.0 Chrome/130" } });
    const own = await get(shop);
    expect(own.status).toBe(200);
    expect(own.headers.get("content-disposition")).toBe(`attachment; filename="customer-data-request-${id}.json"`);
    expect(JSON.parse(await own.text())).toMatchObject({ store: { customer: { email: "ana@example.com" } } });
    expect((await get("privacy-empty.myshopify.com")).status).toBe(404);
    expect((await get(shop, "not-a-number")).status).toBe(404);
    expect((await fetch(`${admin.origin}/app/privacy/${id}/download`, { headers: { "user-agent": "Mozilla/5.0 Chrome/130" }, redirect: "manual" })).status).not.toBe(200);
  });

  // Polaris's EmptyState with image="" drew a grey circle over its text and hid the heading.
  it("says so when there are none, in a plain card with a heading", async () => {
    const page = await admin.openAdminPage("/app/privacy", "privacy-empty.myshopify.com");
    await page.getByRole("heading", { name: "No data requests yet" }).waitFor();
    expect(await page.getByRole("heading", { name: "No data requests yet" }).isVisible()).toBe(true);
    expect(await page.locator(".Polaris-EmptyState, img").count()).toBe(0);
    await page.getByText("When a customer asks for their data, Shopify tells Pathwise and the export appears here.").waitFor();
    await saveScreenshot(page, "privacy-empty");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });
});

describe("outbox (app.outbox)", () => {
  const shop = "outbox-page.myshopify.com";
  beforeAll(async () => {
    expect(process.env.SENDGRID_API_KEY).toBeUndefined(); // capture mode: the outbox keeps a copy
    await installShop(shop);
    await customer(shop, "101", "ada@example.com");
    await customer(shop, "102", "ben@example.com", "NOT_SUBSCRIBED");
    const { sendMarketingEmail } = await import("../../app/email/outbound.server");
    const real = { flowId: "abandoned_checkout", stepKey: "email_1" };
    expect((await sendMarketingEmail(sendRequest(shop, { ...real, customerId: "101", email: "ada@example.com" }))).status).toBe("captured");
    expect((await sendMarketingEmail(sendRequest(shop, { ...real, customerId: "102", email: "ben@example.com" }))).status).toBe("skipped");
  });

  it("lists every email with its status, and shows a captured one's content", async () => {
    const page = await admin.openAdminPage("/app/outbox", shop);
    await page.getByRole("heading", { name: "Outbox" }).waitFor();
    await page.getByText("No SendGrid API key is set: emails are captured here instead of being sent").waitFor();
    expect((await page.locator(".Polaris-Layout__Section").first().locator(".Polaris-Badge").allInnerTexts()).map(seen)).toEqual(expect.arrayContaining(["Captured (not sent): 1", "Not sent: 1"]));
    const rows = rowsOf(page);
    expect(await rows.count()).toBe(2);
    const captured = rows.filter({ hasText: "ada@example.com" });
    expect(await captured.innerText()).toContain("You left something behind");
    // The flow by name, the step as "Email 1", the reason in words, and a subject cell that says the email never left.
    const skipped = seen(await rows.filter({ hasText: "ben@example.com" }).innerText());
    for (const text of ["(not sent)", "Abandoned checkout recovery · Email 1", "Not sent: the customer has not agreed to marketing email"]) expect(skipped).toContain(text);
    expect(seen(await page.locator(".Polaris-DataTable").innerText())).not.toMatch(/abandoned_checkout|email_1|no_consent|skipped/);

    await captured.getByRole("link", { name: "You left something behind" }).click();
    await page.getByRole("heading", { name: "You left something behind" }).waitFor();
    expect(await page.locator('iframe[title="Rendered email"]').getAttribute("srcdoc")).toContain("Finish checkout");
    // The plain-text part's long links break inside the card instead of running past it.
    const text = page.locator("pre");
    expect(await text.evaluate((pre) => getComputedStyle(pre).overflowWrap)).toBe("anywhere");
    expect(await text.evaluate((pre) => pre.scrollWidth <= pre.clientWidth)).toBe(true);
    await saveScreenshot(page, "outbox");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });
});

describe("outbox with no emails (app.outbox)", () => {
  const shop = "outbox-empty.myshopify.com";
  beforeAll(async () => {
    await installShop(shop);
  });

  // Polaris's EmptyState with image="" drew a grey circle over its text and hid the heading.
  it("says so in a plain card with a heading", async () => {
    const page = await admin.openAdminPage("/app/outbox", shop);
    await page.getByRole("heading", { name: "No emails yet" }).waitFor();
    expect(await page.getByRole("heading", { name: "No emails yet" }).isVisible()).toBe(true);
    expect(await page.locator(".Polaris-EmptyState, img").count()).toBe(0);
    await page.getByText("Emails from your flows appear here as they are sent.").waitFor();
    await saveScreenshot(page, "outbox-empty");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });
});

describe("email settings (app.settings.email)", () => {
  const shop = "email-settings-page.myshopify.com";
  beforeAll(async () => {
    await installShop(shop, { name: "Crumb & Co" });
  });

  it("shows the defaults, refuses a colour that is not hex on the field, then saves valid settings", async () => {
    const page = await admin.openAdminPage("/app/settings/email", shop);
    await page.getByRole("heading", { name: "Email settings" }).waitFor();
    const accent = page.getByLabel("Accent colour");
    expect(await accent.inputValue()).toBe("#1a73e8");
    expect(await page.getByLabel("Only email customers who accepted email marketing").isChecked()).toBe(true);
    expect(await page.getByLabel("Quiet from").inputValue()).toBe("21:00");
    // A swatch shows the colour beside its field, and follows what the merchant types.
    const swatch = page.getByRole("img", { name: /^Colour preview/ });
    expect(await swatch.getAttribute("aria-label")).toBe("Colour preview: #1a73e8");
    expect(await swatch.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(26, 115, 232)");
    await page.getByText("within this many days of clicking a link in one of the flow's emails", { exact: false }).waitFor();
    await saveScreenshot(page, "email-settings");
    expect(await seriousA11yViolations(page)).toEqual([]);

    await accent.fill("blue");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expectOutcomeBesideSave(page, "Some settings need a fix before they can be saved.");
    expect(await swatch.getAttribute("aria-label")).toBe("Colour preview: not a colour yet");
    await page.getByText("Use a hex colour like #1a73e8").waitFor();
    expect(await accent.getAttribute("aria-invalid")).toBe("true");
    const prisma = await db();
    expect(await prisma.shopEmailSettings.findUnique({ where: { shop } })).toBeNull();

    await accent.fill("#ff6600");
    await page.getByLabel("Sender name").fill("Crumb & Co Bakery");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expectOutcomeBesideSave(page, "Settings saved.");
    expect(await swatch.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(255, 102, 0)");
    expect(await prisma.shopEmailSettings.findUniqueOrThrow({ where: { shop } })).toMatchObject({ accentColor: "#ff6600", fromName: "Crumb & Co Bakery", quietHoursStart: 21 * 60 });
    await page.close();
  });
});
