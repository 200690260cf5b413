import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { EXTENSION_DIR } from "../support/liquid-storefront";

/**
 * Theme Check, as `shopify app deploy` runs it on a theme app extension: Shopify's CLI
 * (a dev dependency) checks Liquid, schemas, locales and assets offline. An error there
 * refuses the deploy, so it fails here first.
 */
interface Offense {
  check: string;
  severity: number;
  message: string;
}
interface FileOffenses {
  path: string;
  offenses: Offense[];
}

const shopifyCli = path.resolve("node_modules", ".bin", "shopify");

async function themeCheck(extensionDir: string): Promise<FileOffenses[]> {
  const { stdout } = await promisify(execFile)(shopifyCli, ["theme", "check", "--path", extensionDir, "--config", "theme-check:theme-app-extension", "--output", "json", "--fail-level", "crash"], {
    env: { ...process.env, SHOPIFY_CLI_NO_ANALYTICS: "1", SHOPIFY_CLI_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    maxBuffer: 16 << 20,
  });
  // JSON on stdout: one entry per file with offenses.
  return JSON.parse(stdout.slice(stdout.indexOf("["))) as FileOffenses[];
}

const describeOffenses = (files: FileOffenses[]) => files.flatMap((file) => file.offenses.map((offense) => `${path.basename(file.path)}: ${offense.check} ${offense.message}`));

const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("theme app extension under Theme Check (theme-check:theme-app-extension)", () => {
  it("has no offenses at any level, errors, warnings or suggestions", async () => {
    expect(describeOffenses(await themeCheck(EXTENSION_DIR))).toEqual([]);
  }, 60_000);

  it("is a live check: a parser-blocking script and a missing translation in a copy are reported", async () => {
    const copy = await mkdtemp(path.join(os.tmpdir(), "pathwise-theme-check-"));
    scratch.push(copy);
    await cp(EXTENSION_DIR, copy, { recursive: true });
    const block = path.join(copy, "blocks", "cart-recommendations.liquid");
    await writeFile(block, `{{ 'cart-recommendations.js' | asset_url | script_tag }}\n<p>{{ 'blocks.missing_key' | t }}</p>\n${await readFile(block, "utf8")}`);
    const checks = (await themeCheck(copy)).flatMap((file) => file.offenses.map((offense) => offense.check));
    expect(checks).toEqual(expect.arrayContaining(["ParserBlockingScript", "TranslationKeyExists"]));
  }, 60_000);
});
