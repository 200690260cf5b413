import { describe, expect, it } from "vitest";
import { adminQueryErrors } from "../../tests/support/admin-schema";
import { SHOP_QUERY } from "./shops.server";
import { CUSTOMER_CONSENT_QUERY } from "./customer-consent.server";

describe("Admin GraphQL queries sent by the shops module", () => {
  it("are valid against Shopify's 2026-10 Admin schema", () => {
    expect(adminQueryErrors(SHOP_QUERY)).toEqual([]);
    expect(adminQueryErrors(CUSTOMER_CONSENT_QUERY)).toEqual([]);
  });
  it("the validator does reject an invalid field", () => {
    expect(adminQueryErrors("query { shop { notAField } }").length).toBeGreaterThan(0);
  });
});
