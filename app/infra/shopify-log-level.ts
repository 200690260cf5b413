import { LogSeverity } from "@shopify/shopify-api";

/**
 * How much Shopify's library logs. At "info" it writes a line for every
 * authenticated request (each webhook delivery, each app proxy call): at
 * hundreds a second those synchronous writes are a large share of the request's
 * CPU. Production defaults to warnings and errors; SHOPIFY_LOG_LEVEL overrides.
 */
const LEVELS: Record<string, LogSeverity> = { error: LogSeverity.Error, warning: LogSeverity.Warning, info: LogSeverity.Info, debug: LogSeverity.Debug };

export function shopifyLogLevel(env: { SHOPIFY_LOG_LEVEL?: string; NODE_ENV?: string } = process.env): LogSeverity {
  const raw = env.SHOPIFY_LOG_LEVEL?.trim().toLowerCase();
  if (!raw) return env.NODE_ENV === "production" ? LogSeverity.Warning : LogSeverity.Info;
  const level = LEVELS[raw];
  if (level === undefined) throw new Error(`SHOPIFY_LOG_LEVEL must be one of ${Object.keys(LEVELS).join(", ")} (got ${JSON.stringify(env.SHOPIFY_LOG_LEVEL)})`);
  return level;
}
