import type { LoaderFunctionArgs } from "@remix-run/node";
import { isLikelyPrefetch, recordClick, verifyClickToken } from "../email/tracking.server";

// Tracked link: /t/c/<signed token>. Redirects only to the URL the token was signed for.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const target = verifyClickToken(params.token ?? "");
  if (!target) return new Response("This link is not valid.", { status: 400, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
  try {
    await recordClick(target, request.headers.get("user-agent"), isLikelyPrefetch(request.headers));
  } catch (error) {
    // The shopper still gets where they were going; the click is lost, not the visit.
    console.error("[email] click not recorded:", (error as Error).message);
  }
  return new Response(null, { status: 302, headers: { location: target.url, "cache-control": "no-store", "referrer-policy": "no-referrer" } });
};
