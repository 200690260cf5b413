import { describe, expect, it } from "vitest";

// The login path, where the library sends a request for the app without Shopify's shop
// and host (someone opening the app's URL directly): a form, then that store's admin.
const route = await import("../../app/routes/auth.login");
const args = (request: Request) => ({ request, params: {}, context: {} });
const post = (shop: string) => new Request("https://pathwise.test/auth/login", { method: "POST", body: new URLSearchParams({ shop }) });

describe("/auth/login", () => {
  it("shows the form with no error on a plain visit", async () => {
    expect(await route.loader(args(new Request("https://pathwise.test/auth/login")))).toEqual({ error: null });
  });

  it("says what is wrong with a missing or invalid store domain", async () => {
    expect(await route.action(args(post("")))).toEqual({ error: "Enter your store's domain." });
    expect(await route.action(args(post("not a store!")))).toEqual({ error: "That is not a Shopify store domain. It looks like your-store.myshopify.com." });
  });

  it("sends a store domain, with or without .myshopify.com, to the app's install in that store's admin", async () => {
    for (const shop of ["party-planet", "https://party-planet.myshopify.com/"]) {
      const thrown = await route.action(args(post(shop))).catch((response: unknown) => response);
      expect(thrown).toBeInstanceOf(Response);
      expect((thrown as Response).status).toBe(302);
      expect((thrown as Response).headers.get("location")).toBe(`https://admin.shopify.com/store/party-planet/oauth/install?client_id=${process.env.SHOPIFY_API_KEY}`);
    }
  });
});
