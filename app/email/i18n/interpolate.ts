/**
 * Placeholders merchants may use in subject, preview text, heading and body.
 * `{{ name }}` with optional spaces; an unknown or missing placeholder becomes ""
 * so a typo never shows curly braces to a customer.
 */
export const COPY_PLACEHOLDERS = ["first_name", "shop_name", "discount_code", "discount_percent"] as const;
export type CopyPlaceholder = (typeof COPY_PLACEHOLDERS)[number];
export type InterpolationValues = Partial<Record<string, string | number | null | undefined>>;

const PLACEHOLDER = /\{\{\s*([a-z0-9_]+)\s*\}\}/gi;

/** Plain string substitution: the caller escapes for its output (React does for HTML). */
export function interpolate(template: string, values: InterpolationValues): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = values[name.toLowerCase()];
    return value === null || value === undefined ? "" : String(value);
  });
}

/** Placeholders in a template that are not in `allowed` (for validating merchant copy). */
export function unknownPlaceholders(template: string, allowed: readonly string[] = COPY_PLACEHOLDERS): string[] {
  const unknown = new Set<string>();
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1].toLowerCase();
    if (!allowed.includes(name)) unknown.add(name);
  }
  return [...unknown];
}
