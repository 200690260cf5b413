import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { dataRequestExport } from "../store/activity.server";

/** A customer data request's export as a JSON file; only the session's shop's own requests. */
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const found = await dataRequestExport(session.shop, params.id ?? "");
  if (!found) throw new Response("No such data request", { status: 404 });
  return new Response(JSON.stringify(found.export, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="customer-data-request-${found.id}.json"`,
      "Cache-Control": "private, no-store",
    },
  });
};
