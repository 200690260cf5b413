import { LogSeverity } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";
import { shopifyLogLevel } from "./shopify-log-level";

describe("Shopify library log level", () => {
  it("production logs warnings and errors only (no line per authenticated request); elsewhere info", () => {
    expect(shopifyLogLevel({ NODE_ENV: "production" })).toBe(LogSeverity.Warning);
    expect(shopifyLogLevel({ NODE_ENV: "development" })).toBe(LogSeverity.Info);
    expect(shopifyLogLevel({})).toBe(LogSeverity.Info);
  });

  it("SHOPIFY_LOG_LEVEL overrides, and an unknown value is refused with the allowed ones", () => {
    expect(shopifyLogLevel({ NODE_ENV: "production", SHOPIFY_LOG_LEVEL: "Debug" })).toBe(LogSeverity.Debug);
    expect(shopifyLogLevel({ SHOPIFY_LOG_LEVEL: "error" })).toBe(LogSeverity.Error);
    expect(() => shopifyLogLevel({ SHOPIFY_LOG_LEVEL: "loud" })).toThrow(/error, warning, info, debug/);
  });
});
