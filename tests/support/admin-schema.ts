import { readFileSync } from "node:fs";
import path from "node:path";
import { buildClientSchema, parse, validate, type GraphQLSchema, type IntrospectionQuery } from "graphql";
import { FIXTURES_DIR } from "./shopify";

const schemas = new Map<string, GraphQLSchema>();

/** Shopify's real Admin GraphQL schema (introspection in shared/fixtures/shopify). */
export function adminSchema(version = "2026-10"): GraphQLSchema {
  let schema = schemas.get(version);
  if (!schema) {
    const json = JSON.parse(readFileSync(path.join(FIXTURES_DIR, `admin-schema-${version}.json`), "utf8"));
    schema = buildClientSchema((json.data ?? json) as IntrospectionQuery);
    schemas.set(version, schema);
  }
  return schema;
}

/** The validation errors of an Admin query or mutation (empty when valid). */
export function adminQueryErrors(query: string, version = "2026-10"): string[] {
  return validate(adminSchema(version), parse(query)).map((error) => error.message);
}
