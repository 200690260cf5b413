import prisma from "../db.server";
import { CROSS_SELL, crossSellSettingsFromForm, getCrossSell, saveCrossSell } from "./cross-sell.server";
import { checkboxTicked } from "./settings";

/** Figures and runs of a flow, for its admin page. */
export async function flowFigures(shop: string, flowKey: string) {
  const [started, converted, revenue, sent, opened, clicked] = await Promise.all([
    prisma.flowRun.count({ where: { shop, flowKey } }),
    prisma.flowRun.count({ where: { shop, flowKey, state: "converted" } }),
    prisma.flowRun.groupBy({ by: ["currency"], where: { shop, flowKey, state: "converted" }, _sum: { revenueMinor: true } }),
    prisma.emailMessage.count({ where: { shop, flowId: flowKey, status: { in: ["sent", "captured", "uncertain"] } } }),
    prisma.emailMessage.count({ where: { shop, flowId: flowKey, openedAt: { not: null } } }),
    prisma.emailMessage.count({ where: { shop, flowId: flowKey, clickedAt: { not: null } } }),
  ]);
  return { started, sent, opened, clicked, converted, revenue: revenue.map((row) => ({ currency: row.currency ?? "USD", amountMinor: row._sum.revenueMinor ?? 0 })) };
}

export async function loadCrossSellPage(shop: string) {
  const { enabled, settings } = await getCrossSell(shop);
  const runs = await prisma.flowRun.findMany({ where: { shop, flowKey: CROSS_SELL }, orderBy: { startedAt: "desc" }, take: 25 });
  // A cross-sell run's subject is its order's id: the merchant knows the order by its name (#1001).
  const orders = runs.length ? await prisma.order.findMany({ where: { shop, id: { in: runs.map((run) => run.subjectKey) } }, select: { id: true, name: true } }) : [];
  const names = new Map(orders.map((order) => [order.id, order.name]));
  return {
    enabled,
    settings,
    figures: await flowFigures(shop, CROSS_SELL),
    runs: runs.map((run) => ({ ...run, orderId: run.subjectKey, orderName: names.get(run.subjectKey) ?? run.subjectKey })),
  };
}

export async function saveCrossSellForm(shop: string, form: FormData) {
  const { settings } = await getCrossSell(shop);
  const result = crossSellSettingsFromForm(form, settings);
  if (!result.ok) return { ok: false as const, errors: result.errors };
  await saveCrossSell(shop, checkboxTicked(form, "enabled"), result.settings);
  return { ok: true as const, errors: {} as Record<string, string> };
}
