import { pool } from "../db.server";
import { checkHealth } from "../infra/health.server";

// GET /healthz for load balancers and monitors: 200 when the database answers, else 503.
export const loader = async () => {
  const health = await checkHealth(pool);
  return Response.json(health, { status: health.status === "ok" ? 200 : 503, headers: { "cache-control": "no-store" } });
};
