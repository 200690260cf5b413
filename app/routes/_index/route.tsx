import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";

// Shopify opens the app with ?shop=…; anyone else gets a short explanation.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  return null;
};

export default function Index() {
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 640, margin: "4rem auto", lineHeight: 1.5 }}>
      <h1>Pathwise</h1>
      <p>Behaviour-based marketing automation for Shopify: abandoned checkout recovery, cross-sell after purchase or delivery, and "Customers also bought".</p>
      <p>Install Pathwise from the Shopify App Store and open it from your Shopify admin.</p>
    </main>
  );
}
