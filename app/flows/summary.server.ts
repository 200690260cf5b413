import prisma from "../db.server";
import { ABANDONED_CHECKOUT } from "./settings";
import { flowName } from "./labels";

const FLOWS = [
  { key: ABANDONED_CHECKOUT, title: flowName(ABANDONED_CHECKOUT), description: "Remind shoppers who left at checkout, with an optional single-use discount.", url: "/app/flows/abandoned-checkout" },
  { key: "cross_sell", title: flowName("cross_sell"), description: "After purchase or delivery, suggest what other customers bought with it (never what they already own).", url: "/app/flows/cross-sell" },
];

export async function flowSummaries(shop: string) {
  return Promise.all(
    FLOWS.map(async (flow) => {
      const [settings, started, converted, latest] = await Promise.all([
        prisma.flow.findUnique({ where: { shop_key: { shop, key: flow.key } } }),
        prisma.flowRun.count({ where: { shop, flowKey: flow.key } }),
        prisma.flowRun.count({ where: { shop, flowKey: flow.key, state: "converted" } }),
        prisma.flowRun.findFirst({ where: { shop, flowKey: flow.key }, orderBy: { startedAt: "desc" }, select: { state: true, exitReason: true } }),
      ]);
      return { ...flow, enabled: settings?.enabled ?? false, started, converted, latest };
    }),
  );
}
