import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { login } from "../shopify.server";
import { loginErrorMessage } from "../shops/login";

// The app's login path (authPathPrefix + /login): the library sends a request for the app
// without Shopify's shop and host here. A store domain leads to the app in that store's admin.
export const loader = async ({ request }: LoaderFunctionArgs) => ({ error: loginErrorMessage(await login(request)) });
export const action = async ({ request }: ActionFunctionArgs) => ({ error: loginErrorMessage(await login(request)) });

export default function Login() {
  const loaded = useLoaderData<typeof loader>();
  const acted = useActionData<typeof action>();
  const error = acted?.error ?? loaded.error;
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 480, margin: "4rem auto", lineHeight: 1.5 }}>
      <h1>Log in to Pathwise</h1>
      <Form method="post">
        <label htmlFor="shop">Store domain</label>
        <div>
          <input id="shop" name="shop" type="text" autoComplete="on" placeholder="your-store.myshopify.com" aria-invalid={error ? true : undefined} aria-describedby={error ? "shop-error" : undefined} style={{ width: "100%", padding: 8, margin: "4px 0" }} />
        </div>
        {error ? (
          <p id="shop-error" role="alert" style={{ color: "#8e1f0b" }}>
            {error}
          </p>
        ) : null}
        <button type="submit">Log in</button>
      </Form>
    </main>
  );
}
