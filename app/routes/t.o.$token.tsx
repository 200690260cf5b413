import type { LoaderFunctionArgs } from "@remix-run/node";
import { isLikelyPrefetch, PIXEL_GIF, recordOpen, verifyOpenToken } from "../email/tracking.server";

// Open pixel: /t/o/<signed token>.gif. Always answers the GIF (a broken image helps nobody); records only valid tokens.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const ref = verifyOpenToken(params.token ?? "");
  if (ref) {
    try {
      await recordOpen(ref, isLikelyPrefetch(request.headers));
    } catch (error) {
      console.error("[email] open not recorded:", (error as Error).message);
    }
  }
  return new Response(PIXEL_GIF, {
    status: 200,
    headers: { "content-type": "image/gif", "content-length": String(PIXEL_GIF.length), "cache-control": "no-store, no-cache, must-revalidate, max-age=0", pragma: "no-cache", expires: "0" },
  });
};
