import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { seededRandom, type EvalBasket, type EvalSplit } from "../../app/recommendations/engine/evaluation";
import { sharedDir } from "../../simulator/shared-dir";

/**
 * Basket data sets for the offline evaluation (see each SOURCE.md under the
 * datasets directory), each turned into a train/test split.
 */
export const DATASET_FILES = {
  onlineRetail: path.join("online-retail-uci-2010-12", "online_retail_2010-12-01_2011-01-10.csv"),
  groceries: path.join("groceries", "groceries.csv"),
  tafeng: path.join("tafeng-nbr-preprocessed", "tafeng_merged.json"),
} as const;

export type DatasetName = keyof typeof DATASET_FILES | "simulator";

/** The shared data's datasets (see simulator/shared-dir.ts), or PATHWISE_DATASETS_DIR. */
export function defaultDatasetsDir(): string {
  return process.env.PATHWISE_DATASETS_DIR ?? path.join(sharedDir(), "datasets");
}

/** One RFC 4180 CSV record (quoted fields may hold commas and doubled quotes). */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      fields.push(field);
      field = "";
    } else field += char;
  }
  fields.push(field);
  return fields;
}

/**
 * Real products in Online Retail have 5-digit stock codes with an optional
 * letter suffix (85123A) or DCGS codes; everything else is postage (POST,
 * DOT), discounts (D), manual lines (M, m), carriage (C2), fees (AMAZONFEE,
 * BANK CHARGES), samples (S) or gift vouchers (gift_0001_*).
 */
export function isRetailProductCode(stockCode: string): boolean {
  return /^\d{5}[A-Za-z]*$/.test(stockCode) || /^DCGS\d+$/.test(stockCode);
}

/**
 * UCI Online Retail prefix: one basket per invoice; cancellations (C…),
 * negative or zero quantities, zero-price lines and non-product codes dropped.
 * Times are UK local, which is UTC in December and January. Temporal split:
 * the last 20% of invoices by time are the test set.
 */
export function loadOnlineRetail(dir: string): EvalSplit {
  const text = readFileSync(path.join(dir, DATASET_FILES.onlineRetail), "utf8");
  const invoices = new Map<string, { items: string[]; atMs: number }>();
  const lines = text.split(/\r?\n/);
  const header = parseCsvLine(lines[0]);
  const col = (name: string) => {
    const at = header.indexOf(name);
    if (at < 0) throw new Error(`Online Retail CSV has no ${name} column`);
    return at;
  };
  const [invoiceCol, codeCol, quantityCol, dateCol, priceCol] = ["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice"].map(col);
  for (const line of lines.slice(1)) {
    if (!line.trim()) continue;
    const fields = parseCsvLine(line);
    const invoice = fields[invoiceCol];
    const stockCode = fields[codeCol];
    if (invoice.startsWith("C") || Number(fields[quantityCol]) <= 0 || Number(fields[priceCol]) <= 0 || !isRetailProductCode(stockCode)) continue;
    let basket = invoices.get(invoice);
    if (!basket) invoices.set(invoice, (basket = { items: [], atMs: Date.parse(`${fields[dateCol]}Z`) }));
    basket.items.push(stockCode);
  }
  const baskets = [...invoices.values()].sort((x, y) => x.atMs - y.atMs);
  const cut = Math.floor(baskets.length * 0.8);
  const first = new Date(baskets[cut]?.atMs ?? 0).toISOString().slice(0, 16);
  return {
    name: "UCI Online Retail (2010-12-01 .. 2011-01-10)",
    protocol: `temporal: invoices before ${first} train (80%), later invoices test; leave-one-out inside each test invoice`,
    train: baskets.slice(0, cut),
    test: baskets.slice(cut),
    timed: true,
  };
}

/** Groceries has no ids or times: a seeded random 80/20 split of baskets, no time decay. */
export function loadGroceries(dir: string): EvalSplit {
  const random = seededRandom(7);
  const train: EvalBasket[] = [];
  const test: EvalBasket[] = [];
  for (const line of readFileSync(path.join(dir, DATASET_FILES.groceries), "utf8").split(/\r?\n/)) {
    if (!line.trim()) continue;
    (random() < 0.8 ? train : test).push({ items: line.split(",").map((item) => item.trim()).filter(Boolean), atMs: 0 });
  }
  return { name: "Groceries (arules, 9,835 baskets)", protocol: "no timestamps: seeded random 80/20 split of baskets (seed 7); leave-one-out inside each test basket", train, test, timed: false };
}

/**
 * Ta-Feng: each customer's baskets in time order; the last one is the
 * temporal hold-out, all earlier ones train. The preprocessing dropped dates,
 * so every basket gets the same time (no decay).
 */
export function loadTafeng(dir: string): EvalSplit {
  const users = JSON.parse(readFileSync(path.join(dir, DATASET_FILES.tafeng), "utf8")) as Record<string, number[][]>;
  const train: EvalBasket[] = [];
  const test: EvalBasket[] = [];
  for (const baskets of Object.values(users)) {
    baskets.forEach((items, index) => (index === baskets.length - 1 ? test : train).push({ items: items.map(String), atMs: 0 }));
  }
  return { name: `Ta-Feng (${Object.keys(users).length.toLocaleString("en")} customers)`, protocol: "temporal per customer: the last basket of each customer is test, earlier baskets train; leave-one-out inside each test basket", train, test, timed: false };
}

/**
 * The simulator's party-supplies store, when simulator/ is importable (the lead
 * wires it): last 60 days of orders held out; gift card lines dropped.
 */
export async function loadSimulator(): Promise<EvalSplit | null> {
  const storeModule = path.resolve(import.meta.dirname, "..", "..", "simulator", "store.ts");
  if (!existsSync(storeModule)) return null;
  try {
    const { seedStore } = (await import(storeModule)) as {
      seedStore: (options: { seed?: number; now?: Date }) => { orders: Array<{ createdAt: Date; lineItems: Array<{ productId: number | string; quantity: number; giftCard: boolean }> }> };
    };
    const now = new Date("2026-11-01T00:00:00Z");
    const store = seedStore({ seed: 20261124, now });
    const cut = now.getTime() - 60 * 86_400_000;
    const baskets = store.orders.map((order) => ({
      items: order.lineItems.filter((line) => !line.giftCard && line.quantity > 0).map((line) => String(line.productId)),
      atMs: order.createdAt.getTime(),
    }));
    return {
      name: "Simulator store (party supplies, seed 20261124)",
      protocol: "temporal: the last 60 days of orders are test, earlier orders train; leave-one-out inside each test order",
      train: baskets.filter((basket) => basket.atMs < cut),
      test: baskets.filter((basket) => basket.atMs >= cut),
      timed: true,
    };
  } catch (error) {
    console.warn(`simulator store skipped: ${(error as Error).message}`);
    return null;
  }
}
