/** The Admin GraphQL call shape shared by authenticate.admin and unauthenticated.admin. */
export type AdminGraphql = (query: string, options?: { variables?: Record<string, unknown> }) => Promise<Response>;

export class AdminApiError extends Error {
  constructor(message: string, readonly details?: unknown, readonly throttled = false) {
    super(message);
  }
}

interface GraphqlError {
  message: string;
  extensions?: { code?: string };
}
interface QueryCost {
  requestedQueryCost: number;
  throttleStatus: { currentlyAvailable: number; restoreRate: number };
}
interface GraphqlBody<T> {
  data?: T;
  errors?: GraphqlError[];
  extensions?: { cost?: QueryCost };
}

// A throttled request is refused before it runs (queries and mutations alike), so
// asking again once the bucket has refilled is always safe. Eight waits cover any
// single query's cost at Shopify's slowest restore rate many times over.
const MAX_THROTTLED_WAITS = 8;
const MAX_WAIT_MS = 20_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long until the bucket holds `needed` points again. */
function restoreWaitMs(cost: QueryCost | undefined, needed: number): number {
  if (!cost) return 1_000;
  const missing = needed - cost.throttleStatus.currentlyAvailable;
  return Math.min(MAX_WAIT_MS, Math.max(0, Math.ceil((missing / Math.max(1, cost.throttleStatus.restoreRate)) * 1000)));
}

/**
 * The body of a GraphQL response the Shopify library refused: its client throws a
 * GraphqlQueryError whose `body` holds `errors.graphQLErrors` (and the cost extension)
 * instead of returning a response with `errors`.
 */
function refusedBody<T>(thrown: unknown): GraphqlBody<T> | null {
  const body = (thrown as { body?: { errors?: { graphQLErrors?: GraphqlError[] }; extensions?: GraphqlBody<T>["extensions"] } } | null)?.body;
  const errors = body?.errors?.graphQLErrors;
  return Array.isArray(errors) && errors.length ? { errors, extensions: body?.extensions } : null;
}

/**
 * Runs a query and returns `data`, turning GraphQL errors into AdminApiError. Paced by
 * Shopify's cost-based rate limit: a THROTTLED refusal waits for the bucket to refill
 * and asks again, and after a call that left too little for another like it, the next
 * call waits first, so a long walk through pages is slowed, never failed.
 */
export async function adminQuery<T>(graphql: AdminGraphql, query: string, variables?: Record<string, unknown>): Promise<T> {
  for (let waits = 0; ; waits++) {
    let body: GraphqlBody<T>;
    try {
      body = (await (await graphql(query, variables ? { variables } : undefined)).json()) as GraphqlBody<T>;
    } catch (thrown) {
      const refused = refusedBody<T>(thrown);
      if (!refused) throw thrown;
      body = refused;
    }
    const cost = body.extensions?.cost;
    if (body.errors?.length) {
      const throttled = body.errors.some((error) => error.extensions?.code === "THROTTLED");
      if (throttled && waits < MAX_THROTTLED_WAITS) {
        await sleep(restoreWaitMs(cost, cost?.requestedQueryCost ?? 0));
        continue;
      }
      throw new AdminApiError(body.errors.map((error) => error.message).join("; "), body.errors, throttled);
    }
    if (!body.data) throw new AdminApiError("Admin API returned no data");
    if (cost && cost.throttleStatus.currentlyAvailable < cost.requestedQueryCost) await sleep(restoreWaitMs(cost, cost.requestedQueryCost));
    return body.data;
  }
}
