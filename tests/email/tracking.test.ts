import { beforeAll, describe, expect, it } from "vitest";
import prisma from "../../app/db.server";
import { sendMarketingEmail } from "../../app/email/outbound.server";
import { clickUrl } from "../../app/email/tracking.server";
import { loader as clickLoader } from "../../app/routes/t.c.$token";
import { loader as openLoader } from "../../app/routes/t.o.$token";
import { installShop } from "../support/shopify";
import { customer, sendRequest, useCaptureMode } from "./support/email-fixtures";

const shop = "tracking-test.myshopify.com";
const HUMAN = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";
let links: string[] = [];
let pixel = "";
let messageId = "";

beforeAll(async () => {
  useCaptureMode();
  await installShop(shop, { timezone: "UTC" });
  await prisma.shopEmailSettings.create({ data: { shop, quietHoursStart: null, quietHoursEnd: null } });
  await customer(shop, "1", "ada@example.com");
  const result = await sendMarketingEmail(sendRequest(shop, { customerId: "1" }));
  messageId = result.messageId;
  const row = await prisma.emailMessage.findUniqueOrThrow({ where: { id: messageId } });
  links = [...row.html!.matchAll(/href="(https:\/\/pathwise\.test\/t\/c\/[^"]+)"/g)].map((m) => m[1]);
  pixel = row.html!.match(/src="(https:\/\/pathwise\.test\/t\/o\/[^"]+)"/)![1];
});

const get = (url: string, userAgent = HUMAN, headers: Record<string, string> = {}) => {
  const token = decodeURIComponent(new URL(url).pathname.split("/").at(-1)!);
  return { request: new Request(url, { headers: { "user-agent": userAgent, ...headers } }), params: { token }, context: {} };
};

describe("tracked links", () => {
  it("records the click and redirects to exactly the signed target", async () => {
    const response = await clickLoader(get(links[0]));
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("https://shop.example/checkouts/abc/recover?key=1&x=2");
    const row = await prisma.emailMessage.findUniqueOrThrow({ where: { id: messageId } });
    expect(row.clickedAt).not.toBeNull();
    expect(row.clickCount).toBe(1);
    const clicks = await prisma.emailClick.findMany({ where: { shop, messageId } });
    expect(clicks).toMatchObject([{ linkId: "cta", url: "https://shop.example/checkouts/abc/recover?key=1&x=2", prefetch: false }]);
  });

  it("refuses a tampered token: 400, no redirect, nothing recorded", async () => {
    const token = decodeURIComponent(new URL(links[1]).pathname.split("/").at(-1)!);
    const [payload, mac] = token.split(".");
    const data = JSON.parse(Buffer.from(payload, "base64url").toString());
    const evil = Buffer.from(JSON.stringify({ ...data, u: "https://evil.example/phish" })).toString("base64url");
    const before = await prisma.emailClick.count();
    for (const forged of [`${evil}.${mac}`, `${payload}.${mac.slice(0, -2)}AA`, "garbage", `${payload}`]) {
      const response = await clickLoader({ request: new Request(`https://pathwise.test/t/c/${forged}`), params: { token: forged }, context: {} });
      expect(response.status).toBe(400);
      expect(response.headers.get("location")).toBeNull();
    }
    expect(await prisma.emailClick.count()).toBe(before);
  });

  it("never signs a link that is not http(s)", () => {
    expect(() => clickUrl({ shop, messageId, linkId: "x", url: "javascript:alert(1)" })).toThrow();
  });

  it("a link scanner's click is kept apart and does not count as a click", async () => {
    const response = await clickLoader(get(links[1], "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"));
    expect(response.status).toBe(302);
    const row = await prisma.emailMessage.findUniqueOrThrow({ where: { id: messageId } });
    expect(row.clickCount).toBe(1);
    expect(await prisma.emailClick.count({ where: { shop, messageId, prefetch: true } })).toBe(1);
  });
});

describe("open pixel", () => {
  it("answers a no-store GIF; a prefetching proxy's open is marked unreliable, a person's open is not", async () => {
    const prefetched = await openLoader(get(pixel, "Mozilla/5.0"));
    expect(prefetched.status).toBe(200);
    expect(prefetched.headers.get("content-type")).toBe("image/gif");
    expect(prefetched.headers.get("cache-control")).toContain("no-store");
    expect(Buffer.from(await prefetched.arrayBuffer()).subarray(0, 6).toString()).toBe("GIF89a");
    let row = await prisma.emailMessage.findUniqueOrThrow({ where: { id: messageId } });
    expect(row.openedAt).not.toBeNull();
    expect(row.openUnreliable).toBe(true);

    await openLoader(get(pixel, HUMAN));
    row = await prisma.emailMessage.findUniqueOrThrow({ where: { id: messageId } });
    expect(row.openUnreliable).toBe(false);
    expect(row.openCount).toBe(2);
  });

  it("a forged pixel still gets the GIF but records nothing", async () => {
    const before = (await prisma.emailMessage.findUniqueOrThrow({ where: { id: messageId } })).openCount;
    const response = await openLoader({ request: new Request("https://pathwise.test/t/o/abc.def.gif"), params: { token: "abc.def.gif" }, context: {} });
    expect(response.status).toBe(200);
    expect((await prisma.emailMessage.findUniqueOrThrow({ where: { id: messageId } })).openCount).toBe(before);
  });
});
