import { readFileSync } from "node:fs";
import path from "node:path";
import { Liquid, Tag, type TagToken, type Context, type Emitter, type TopLevelToken } from "liquidjs";

/**
 * Renders the theme app extension's blocks the way Shopify would, inside a
 * Dawn-like page: liquidjs plus the Shopify filters the blocks use, with the
 * extension's own locale files behind `t`.
 */
export const EXTENSION_DIR = path.resolve(import.meta.dirname, "..", "..", "extensions", "customers-also-bought");

export interface ProductDrop {
  id: number;
  title: string;
  url: string;
  handle: string;
  available: boolean;
  price: number; // cents
  price_varies?: boolean;
  price_min?: number;
  featured_image: { src: string; alt: string | null } | null;
  selected_or_first_available_variant: { id: number };
  "gift_card?"?: boolean;
}

function lookup(locale: Record<string, unknown>, key: string): string | undefined {
  return key.split(".").reduce<unknown>((node, part) => (node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined), locale) as string | undefined;
}

export function createStorefrontLiquid(options: { locale?: string; assetBase?: string } = {}) {
  const localeFile = options.locale && options.locale !== "en" ? `${options.locale}.json` : "en.default.json";
  const strings = JSON.parse(readFileSync(path.join(EXTENSION_DIR, "locales", localeFile), "utf8"));
  const fallback = JSON.parse(readFileSync(path.join(EXTENSION_DIR, "locales", "en.default.json"), "utf8"));
  // Shopify's global objects (routes) are visible inside {% render %}d snippets too.
  const engine = new Liquid({
    root: [path.join(EXTENSION_DIR, "blocks")],
    partials: [path.join(EXTENSION_DIR, "snippets")],
    extname: ".liquid",
    strictFilters: true,
    globals: { routes: { cart_add_url: "/cart/add", root_url: "/" } },
  });
  const named = (args: unknown[]) => Object.fromEntries(args.filter((arg): arg is [string, unknown] => Array.isArray(arg)).map(([key, value]) => [key, value]));
  const escapeHtml = (value: unknown) => String(value ?? "").replace(/[&<>"']/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char]!);

  engine.registerFilter("t", (key: string, ...args: unknown[]) => {
    const template = lookup(strings, key) ?? lookup(fallback, key) ?? `translation missing: ${key}`;
    const values = named(args);
    return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name) => escapeHtml(values[name]));
  });
  engine.registerFilter("money", (cents: number) => `$${(Number(cents) / 100).toFixed(2)}`);
  engine.registerFilter("image_url", (image: { src: string } | string, ...args: unknown[]) => {
    const src = typeof image === "string" ? image : image.src;
    const { width } = named(args);
    return width ? `${src}${src.includes("?") ? "&" : "?"}width=${width}` : src;
  });
  engine.registerFilter("image_tag", (url: string, ...args: unknown[]) => {
    const attributes = named(args);
    const rendered = Object.entries(attributes).map(([name, value]) => `${name}="${escapeHtml(value)}"`).join(" ");
    return `<img src="${escapeHtml(url)}" ${rendered}>`;
  });
  engine.registerFilter("asset_url", (file: string) => `${options.assetBase ?? "/assets"}/${file}`);
  engine.registerFilter("stylesheet_tag", (url: string) => `<link href="${escapeHtml(url)}" rel="stylesheet" type="text/css" media="all">`);
  engine.registerFilter("script_tag", (url: string) => `<script src="${escapeHtml(url)}" type="text/javascript"></script>`);

  // {% schema %} is read by Shopify, not rendered.
  engine.registerTag(
    "schema",
    class extends Tag {
      constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
        super(token, remain, liquid);
        while (remain.length) {
          const next = remain.shift()!;
          if ((next as TagToken).name === "endschema") return;
        }
      }
      *render(_ctx: Context, _emitter: Emitter) {}
    },
  );
  return engine;
}

export function productDrop(id: number, title: string, priceCents: number, options: Partial<ProductDrop> = {}): ProductDrop {
  const handle = title.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return {
    id,
    title,
    handle,
    url: `/products/${handle}`,
    available: true,
    price: priceCents,
    featured_image: { src: `/images/${handle}.svg`, alt: null },
    selected_or_first_available_variant: { id: id * 10 + 1 },
    ...options,
  };
}

/** A product page shaped like Dawn's, with the block rendered in the product template's section. */
export async function renderProductPage(options: {
  product: ProductDrop;
  recommendations: ProductDrop[] | null;
  settings?: Partial<{ heading: string; products_to_show: number; layout: "grid" | "row"; show_price: boolean; show_add_to_cart: boolean }>;
  locale?: string;
}) {
  const engine = createStorefrontLiquid({ locale: options.locale });
  const product = {
    ...options.product,
    metafields: { "$app:pathwise": { also_bought: options.recommendations ? { value: options.recommendations } : null } },
  };
  const block = {
    id: "pathwise-block-1",
    shopify_attributes: "",
    settings: { heading: "", products_to_show: 4, layout: "grid", show_price: true, show_add_to_cart: true, ...options.settings },
  };
  const html = await engine.renderFile("also-bought", { product, block, routes: { cart_add_url: "/cart/add", root_url: "/" } });
  return dawnShell(options.locale ?? "en", schemaAssets("also-bought"), `<h1 class="product__title">${options.product.title}</h1><p class="price">$${(options.product.price / 100).toFixed(2)}</p>`, html);
}

/** rootUrl: Shopify's routes.root_url, "/" on the default locale, "/ko" (no trailing slash) on another. */
export async function renderCartPage(options: { productIds: number[]; locale?: string; rootUrl?: string; currency?: string }) {
  const engine = createStorefrontLiquid({ locale: options.locale });
  const cart = { item_count: options.productIds.length, items: options.productIds.map((id) => ({ product_id: id })), currency: { iso_code: options.currency ?? "USD" } };
  const block = { id: "pathwise-cart-1", shopify_attributes: "", settings: { heading: "", products_to_show: 4 } };
  const rootUrl = options.rootUrl ?? "/";
  const request = { locale: { iso_code: options.locale ?? "en" } };
  const html = await engine.renderFile("cart-recommendations", { cart, block, request, routes: { cart_add_url: `${rootUrl === "/" ? "" : rootUrl}/cart/add`, root_url: rootUrl } });
  return dawnShell(options.locale ?? "en", schemaAssets("cart-recommendations"), `<h1>Your cart</h1>`, html);
}

/**
 * What Shopify adds to the page for a block's schema: its "stylesheet" (a <link> in
 * <head>) and "javascript" (a deferred <script>), once however many times the block is used.
 */
export function schemaAssets(blockName: string, assetBase = "/assets"): string {
  const source = readFileSync(path.join(EXTENSION_DIR, "blocks", `${blockName}.liquid`), "utf8");
  const schema = JSON.parse(/\{%-?\s*schema\s*-?%\}([\s\S]*?)\{%-?\s*endschema\s*-?%\}/.exec(source)?.[1] ?? "{}") as { stylesheet?: string; javascript?: string };
  return [
    schema.stylesheet ? `<link href="${assetBase}/${schema.stylesheet}" rel="stylesheet" type="text/css" media="all">` : "",
    schema.javascript ? `<script src="${assetBase}/${schema.javascript}" defer></script>` : "",
  ].join("");
}

function dawnShell(locale: string, head: string, main: string, block: string): string {
  return `<!doctype html>
<html lang="${locale}">
<head>
  <meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Confetti &amp; Co.</title>
  <style>
    :root { --color-foreground: 18, 18, 18; --color-button: 18, 18, 18; --color-button-text: 255, 255, 255; --page-width: 120rem; --font-heading-scale: 1; }
    body { margin: 0; font-family: Assistant, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; font-size: 16px; line-height: 1.5; color: rgb(var(--color-foreground)); background: #fff; }
    header, footer { padding: 1.25rem 1.5rem; border-bottom: 1px solid #e5e5e5; }
    footer { border-top: 1px solid #e5e5e5; border-bottom: 0; margin-top: 3rem; }
    header a { font-weight: 700; font-size: 1.25rem; color: inherit; text-decoration: none; }
    main { max-width: var(--page-width); margin: 0 auto; padding: 0 1.5rem; }
  </style>
  ${head}
</head>
<body>
  <a class="skip-to-content-link" href="#MainContent" style="position:absolute;left:-9999px">Skip to content</a>
  <header><a href="/">Confetti &amp; Co.</a></header>
  <main id="MainContent"><section class="product">${main}</section>${block}</main>
  <footer><p>© Confetti &amp; Co.</p></footer>
</body>
</html>`;
}
