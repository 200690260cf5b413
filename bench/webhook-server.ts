import cluster from "node:cluster";
import type express from "express";
import { Session } from "@shopify/shopify-api";
import { startApp } from "../server/index";

/**
 * The app under load, plus the baseline the issue compares against: a handler that
 * does the processing inside the request, as Shopify's template does (authenticate,
 * then write the order before answering), using the same domain code.
 */
const shop = process.env.BENCH_SHOP!;

async function loadBaseline() {
  const { authenticate, sessionStorage } = await import("../app/shopify.server");
  const { default: prisma } = await import("../app/db.server");
  const { normalizeOrder } = await import("../app/webhooks/normalize");
  const { saveOrder } = await import("../app/store/store.server");
  await sessionStorage.storeSession(new Session({ id: `offline_${shop}`, shop, state: "bench", isOnline: false, accessToken: "shpat_bench" }));
  const { currency } = await prisma.shop.upsert({ where: { domain: shop }, create: { domain: shop, name: "Bench" }, update: {} });
  return async (request: Request) => {
    const { payload } = await authenticate.webhook(request);
    await prisma.$transaction((tx) => saveOrder(tx, shop, normalizeOrder(payload, currency)));
  };
}

let baseline: ReturnType<typeof loadBaseline> | undefined;
function mountBaseline(app: express.Express) {
  app.post("/bench/baseline-webhooks", async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(key, value);
    const request = new Request(`http://bench${req.url}`, { method: "POST", headers, body: Buffer.concat(chunks) });
    try {
      await (await baseline!)(request);
      res.status(200).end();
    } catch (error) {
      if (error instanceof Response) res.status(error.status).end();
      else res.status(500).end(String(error));
    }
  });
}

// Like the production server, the web tier can run one process per core (WEB_CONCURRENCY).
const processes = Number(process.env.WEB_CONCURRENCY ?? 1);
if (cluster.isPrimary && processes > 1) {
  const port = Number(process.env.PORT ?? 0) || 30000 + Math.floor(Math.random() * 20000);
  let ready = 0;
  for (let i = 0; i < processes; i++) {
    const child = cluster.fork({ PORT: String(port) });
    child.on("message", (message: string) => {
      if (typeof message === "string" && message.startsWith("READY") && ++ready === processes) console.log(message);
    });
  }
  process.on("SIGTERM", () => {
    for (const child of Object.values(cluster.workers ?? {})) child?.kill("SIGTERM");
    setTimeout(() => process.exit(0), 2000).unref();
  });
} else {
  const started = await startApp({ port: Number(process.env.PORT ?? 0), worker: false, extraRoutes: mountBaseline });
  baseline = loadBaseline();
  await baseline;
  if (process.send) process.send(`READY ${started.url}`);
  else console.log(`READY ${started.url}`);
  process.on("SIGTERM", async () => {
    await started.stop();
    process.exit(0);
  });
}
