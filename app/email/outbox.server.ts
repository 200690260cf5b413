import prisma from "../db.server";

/** The dev outbox and the ledger view: recent messages of a shop, and one message's captured copy. */
export async function listOutbox(shop: string, limit = 100) {
  const rows = await prisma.emailMessage.findMany({
    where: { shop },
    orderBy: { createdAt: "desc" },
    take: limit,
    select: {
      id: true, flowId: true, stepKey: true, email: true, subject: true, status: true, skipReason: true, deferredUntil: true,
      error: true, sentAt: true, deliveredAt: true, openedAt: true, openUnreliable: true, clickedAt: true, createdAt: true,
    },
  });
  const counts = await prisma.emailMessage.groupBy({ by: ["status"], where: { shop }, _count: { _all: true } });
  return {
    messages: rows.map((row) => ({ ...row, hasCopy: row.status === "captured" })),
    counts: Object.fromEntries(counts.map((c) => [c.status, c._count._all])) as Record<string, number>,
  };
}

export async function outboxMessage(shop: string, id: string) {
  return prisma.emailMessage.findFirst({ where: { shop, id }, select: { id: true, email: true, subject: true, html: true, text: true, status: true, sentAt: true } });
}
