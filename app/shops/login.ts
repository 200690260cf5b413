import { LoginErrorType } from "@shopify/shopify-app-remix/server";

/** What `login()` answered, for a merchant who opened the app outside Shopify admin. */
export function loginErrorMessage(errors: { shop?: LoginErrorType } | undefined): string | null {
  switch (errors?.shop) {
    case LoginErrorType.MissingShop:
      return "Enter your store's domain.";
    case LoginErrorType.InvalidShop:
      return "That is not a Shopify store domain. It looks like your-store.myshopify.com.";
    default:
      return null;
  }
}
