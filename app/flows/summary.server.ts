import prisma from "../db.server";
import { ABANDONED_CHECKOUT } from "./settings";

const FLOWS = [
  { key: ABANDONED_CHECKOUT, title: "Abandoned checkout recovery", description: "Remind shoppers who left at checkout, with an optional single-use discount.", url: "/app/flows/abandoned-checkout" },
  { key: "cross_sell", title: "Cross-sell: you might also like", description: "After purchase or delivery, suggest what other customers bought with it (never what they already own).", url: "/app/flows/cross-sell" },
];

export async function flowSummaries(shop: string) {
  return Promise.all(
    FLOWS.map(async (flow) => ({
      ...flow,
      enabled: (await prisma.flow.findUnique({ where: { shop_key: { shop, key: flow.key } } }))?.enabled ?? false,
      started: await prisma.flowRun.count({ where: { shop, flowKey: flow.key } }),
      converted: await prisma.flowRun.count({ where: { shop, flowKey: flow.key, state: "converted" } }),
    })),
  );
}
