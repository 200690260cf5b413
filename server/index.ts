import { createServer, type Server } from "node:http";
import path from "node:path";
import express from "express";
import compression from "compression";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import { ensureDatabase, repoRoot } from "../app/infra/postgres.server";
import { migrateDatabase } from "../app/infra/migrate.server";
import { requireTokenKeyInProduction } from "../app/infra/token-cipher.server";
import { stopOnSignals } from "../app/infra/shutdown.server";
import { listenHost } from "../app/infra/shopify-cli-env";

/**
 * The app's HTTP server: the built Remix app behind Express, on the database from
 * DATABASE_URL (or the embedded PostgreSQL). With RUN_WORKER_IN_PROCESS=1 the job
 * worker runs in the same process, which is how the demo and small installs run it.
 */
export interface StartedApp {
  url: string;
  server: Server;
  stop: () => Promise<void>;
}

export async function startApp(
  options: { port?: number; host?: string; worker?: boolean; extraRoutes?: (app: express.Express) => void } = {},
): Promise<StartedApp> {
  requireTokenKeyInProduction();
  const database = await ensureDatabase();
  await migrateDatabase(database.url);
  const buildPath = path.join(repoRoot(), "build", "server", "index.js");
  const build = (await import(buildPath)) as ServerBuild;
  const { startWorker } = await import("../app/jobs/worker.server");

  const app = express();
  app.disable("x-powered-by");
  // Webhooks and the app proxy take the same code as their Remix routes, dispatched by
  // the HTTP server below before Express: at thousands of requests a second, Remix's
  // routing, request conversion and compression's response wrapping are a measurable
  // share of their time (bench:webhooks, bench:recs). Their answers are small.
  const { webhookHandler, isWebhookDelivery, cartRecommendationsHandler, isCartRecommendationsRequest } = await import("./fast-paths");
  // Webhook bodies are read raw by the route; compression only for what we send.
  app.use(compression());
  app.use("/assets", express.static(path.join(repoRoot(), "build", "client", "assets"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(repoRoot(), "build", "client"), { maxAge: "1h" }));
  options.extraRoutes?.(app);
  app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV }));

  // POST /webhooks and the app proxy go straight to their handlers; everything else through Express.
  const server = createServer((req, res) => {
    if (isWebhookDelivery(req)) void webhookHandler(req, res);
    else if (isCartRecommendationsRequest(req)) void cartRecommendationsHandler(req, res);
    else app(req, res);
  });
  server.keepAliveTimeout = 65_000;
  const port = options.port ?? Number(process.env.PORT ?? 3000);
  const host = options.host ?? listenHost();
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address();
  // Listening on every interface, it is reached locally through loopback.
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${typeof address === "object" && address ? address.port : port}`;

  const runWorker = options.worker ?? process.env.RUN_WORKER_IN_PROCESS === "1";
  const worker = runWorker ? await startWorker() : null;

  return {
    url,
    server,
    stop: async () => {
      await worker?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      const { closeDatabase } = await import("../app/db.server");
      await closeDatabase();
      await database.stop();
    },
  };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename);
if (isMain) {
  const app = await startApp();
  console.log(`Pathwise listening on ${app.url}`);
  stopOnSignals(() => app.stop());
}
