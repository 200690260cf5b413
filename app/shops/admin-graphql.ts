/** The Admin GraphQL call shape shared by authenticate.admin and unauthenticated.admin. */
export type AdminGraphql = (query: string, options?: { variables?: Record<string, unknown> }) => Promise<Response>;

export class AdminApiError extends Error {
  constructor(message: string, readonly details?: unknown, readonly throttled = false) {
    super(message);
  }
}

/** Runs a query and returns `data`, turning GraphQL errors into AdminApiError. */
export async function adminQuery<T>(graphql: AdminGraphql, query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await graphql(query, variables ? { variables } : undefined);
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  if (body.errors?.length) {
    const throttled = body.errors.some((error) => error.extensions?.code === "THROTTLED");
    throw new AdminApiError(body.errors.map((error) => error.message).join("; "), body.errors, throttled);
  }
  if (!body.data) throw new AdminApiError("Admin API returned no data");
  return body.data;
}
