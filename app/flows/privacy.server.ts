import type { Tx } from "../store/sql.server";
import { prismaSql, removeJob } from "../jobs/queue.server";
import { abandonedCheckoutTimerKey } from "./abandoned-checkout.server";
import { CROSS_SELL, crossSellJobKey } from "./cross-sell.server";
import { flowClock } from "./clock";

/** Who a privacy request names: a run matches by customer id, address, or (cross-sell) the order it follows. */
export interface FlowSubject {
  shop: string;
  customerId: string | null;
  email: string | null;
  orderIds: string[];
}

function matching({ shop, customerId, email, orderIds }: FlowSubject) {
  const or = [
    ...(customerId ? [{ customerId }] : []),
    ...(email ? [{ email: email.trim().toLowerCase() }] : []),
    ...(orderIds.length ? [{ flowKey: CROSS_SELL, subjectKey: { in: orderIds } }] : []),
  ];
  return or.length ? { shop, OR: or } : null;
}

/** customers/data_request: every run of a flow for this person, with what each step did. */
export async function exportFlowRuns(tx: Tx, subject: FlowSubject) {
  const where = matching(subject);
  if (!where) return [];
  return tx.flowRun.findMany({
    where,
    select: {
      flowKey: true, state: true, exitReason: true, email: true, locale: true, startedAt: true, endedAt: true,
      convertedOrderId: true, revenueMinor: true, currency: true,
      steps: { select: { stepKey: true, status: true, reason: true, at: true }, orderBy: { at: "asc" } },
    },
    orderBy: { startedAt: "asc" },
  });
}

/**
 * customers/redact: a run still waiting would email the person later from the address it
 * holds, so open runs end (`customer_redacted`) and their timers go; every run of theirs
 * keeps its figures (state, revenue) but loses the address, customer id and language.
 */
export async function redactFlowRuns(tx: Tx, subject: FlowSubject) {
  const where = matching(subject);
  if (!where) return;
  const runs = await tx.flowRun.findMany({ where, select: { id: true, flowKey: true, subjectKey: true, endedAt: true } });
  if (!runs.length) return;
  const open = runs.filter((run) => !run.endedAt);
  if (open.length) {
    await tx.flowRun.updateMany({
      where: { id: { in: open.map((run) => run.id) } },
      data: { state: "exited", exitReason: "customer_redacted", endedAt: flowClock.now(), nextRunAt: null },
    });
    for (const run of open) {
      const key = run.flowKey === CROSS_SELL ? crossSellJobKey(subject.shop, run.subjectKey) : abandonedCheckoutTimerKey(subject.shop, run.subjectKey);
      await removeJob(prismaSql(tx), key);
    }
  }
  await tx.flowRun.updateMany({ where: { id: { in: runs.map((run) => run.id) } }, data: { email: null, customerId: null, locale: null } });
}
