import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { adminQuery, AdminApiError, type AdminGraphql } from "../shops/admin-graphql";

/**
 * Shopify bulk operations: start a query, poll it, and stream its JSONL result
 * line by line (the file can be far larger than memory). Objects of nested
 * connections arrive as their own lines with `__parentId`, after their parent.
 */
export const BULK_RUN_MUTATION = `#graphql
  mutation PathwiseBulkRun($query: String!) {
    bulkOperationRunQuery(query: $query) {
      bulkOperation { id status }
      userErrors { field message code }
    }
  }`;

export const BULK_STATUS_QUERY = `#graphql
  query PathwiseBulkStatus($id: ID!) {
    node(id: $id) {
      ... on BulkOperation { id status errorCode objectCount url partialDataUrl }
    }
  }`;

export const PRODUCTS_BULK_QUERY = `{
  products {
    edges {
      node {
        id
        title
        handle
        productType
        vendor
        tags
        status
        isGiftCard
        onlineStoreUrl
        updatedAt
        featuredImage { url }
        collections { edges { node { id handle } } }
        variants { edges { node { id price availableForSale } } }
      }
    }
  }
}`;

export function ordersBulkQuery(since: Date): string {
  return `{
  orders(query: "created_at:>='${since.toISOString()}'") {
    edges {
      node {
        id
        name
        email
        createdAt
        updatedAt
        cancelledAt
        currencyCode
        customer { id }
        lineItems {
          edges {
            node {
              id
              title
              variantTitle
              quantity
              isGiftCard
              product { id }
              variant { id }
              originalUnitPriceSet { shopMoney { amount currencyCode } }
            }
          }
        }
      }
    }
  }
}`;
}

export async function startBulkQuery(graphql: AdminGraphql, query: string): Promise<string> {
  const data = await adminQuery<{ bulkOperationRunQuery: { bulkOperation: { id: string } | null; userErrors: Array<{ message: string; code?: string }> } }>(
    graphql,
    BULK_RUN_MUTATION,
    { query },
  );
  const { bulkOperation, userErrors } = data.bulkOperationRunQuery;
  if (!bulkOperation) {
    const inProgress = userErrors.some((error) => error.code === "OPERATION_IN_PROGRESS");
    throw new AdminApiError(`bulk query refused: ${userErrors.map((error) => error.message).join("; ")}`, userErrors, inProgress);
  }
  return bulkOperation.id;
}

export interface BulkStatus {
  id: string;
  status: "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELED" | "CANCELING" | "EXPIRED";
  errorCode: string | null;
  objectCount: string;
  url: string | null;
}

export async function bulkStatus(graphql: AdminGraphql, id: string): Promise<BulkStatus> {
  const data = await adminQuery<{ node: BulkStatus | null }>(graphql, BULK_STATUS_QUERY, { id });
  if (!data.node) throw new AdminApiError(`bulk operation ${id} not found`);
  return data.node;
}

/** Streams the JSONL result as parsed objects, never holding the file. */
export async function* readJsonl(url: string): AsyncGenerator<Record<string, unknown>> {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`bulk result download failed: HTTP ${response.status}`);
  const lines = createInterface({ input: Readable.fromWeb(response.body as never), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim()) yield JSON.parse(line) as Record<string, unknown>;
  }
}

/** Groups a JSONL stream into parents with their children (children follow their parent). */
export async function* withChildren(
  lines: AsyncIterable<Record<string, unknown>>,
): AsyncGenerator<{ node: Record<string, unknown>; children: Array<Record<string, unknown>> }> {
  let current: { node: Record<string, unknown>; children: Array<Record<string, unknown>> } | null = null;
  for await (const line of lines) {
    if (line.__parentId) {
      if (current && line.__parentId === current.node.id) current.children.push(line);
      continue;
    }
    if (current) yield current;
    current = { node: line, children: [] };
  }
  if (current) yield current;
}

export const legacyId = (gid: unknown) => String(gid ?? "").split("/").pop() ?? "";
