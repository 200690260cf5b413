import { describe, expect, it } from "vitest";
import { withoutAddressesOrKeys } from "./provider-text";

describe("withoutAddressesOrKeys", () => {
  it("takes out addresses and SendGrid API keys, and leaves the rest of the words", () => {
    expect(withoutAddressesOrKeys(`The from address "ops@pathwise.example" does not match a verified Sender Identity`)).toBe(
      `The from address "<address>" does not match a verified Sender Identity`,
    );
    expect(withoutAddressesOrKeys("key SG.abc_DEF-123.xyz is revoked; to <shopper+tag@example.co.uk>")).toBe("key <api key> is revoked; to <<address>>");
    expect(withoutAddressesOrKeys("SendGrid 503: Service Unavailable")).toBe("SendGrid 503: Service Unavailable");
  });
});
