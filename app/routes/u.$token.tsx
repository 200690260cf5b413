import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { describeUnsubscribe, unsubscribeByToken } from "../email/unsubscribe.server";

/**
 * /u/<token>: the footer link opens a confirmation page (link scanners follow GETs,
 * so a GET never unsubscribes); its button POSTs here. Mail clients POST here
 * directly with "List-Unsubscribe=One-Click" (RFC 8058): no cookies, no redirect.
 */
export const meta: MetaFunction = () => [{ title: "Unsubscribe" }, { name: "robots", content: "noindex" }];

export const loader = async ({ params }: LoaderFunctionArgs) => {
  const info = await describeUnsubscribe(params.token ?? "");
  if (!info) throw new Response("This unsubscribe link is not valid.", { status: 400 });
  return json({ shopName: info.shopName, maskedEmail: info.maskedEmail, alreadyUnsubscribed: info.alreadyUnsubscribed }, { headers: { "cache-control": "no-store" } });
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const body = await request.text();
  const oneClick = new URLSearchParams(body).get("List-Unsubscribe") === "One-Click";
  const outcome = await unsubscribeByToken(params.token ?? "", oneClick ? "one_click" : "footer");
  if (!outcome) return json({ ok: false as const, error: "This unsubscribe link is not valid." }, { status: 400 });
  return json({ ok: true as const }, { headers: { "cache-control": "no-store" } });
};

export default function Unsubscribe() {
  const { shopName, maskedEmail, alreadyUnsubscribed } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const done = alreadyUnsubscribed || result?.ok;
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 480, margin: "64px auto", padding: "0 20px", lineHeight: 1.5 }}>
      <h1 style={{ fontSize: 22 }}>{shopName}</h1>
      {done ? (
        <p role="status">
          {maskedEmail ?? "This address"} will no longer receive marketing emails from {shopName}.
        </p>
      ) : (
        <Form method="post" reloadDocument>
          <p>Stop marketing emails from {shopName} to {maskedEmail ?? "this address"}?</p>
          {result && !result.ok ? <p role="alert">{result.error}</p> : null}
          <button type="submit" style={{ padding: "10px 18px", fontSize: 16, cursor: "pointer" }}>
            Unsubscribe
          </button>
        </Form>
      )}
    </main>
  );
}
