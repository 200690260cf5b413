import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The team's shared data (Shopify's Admin schema and webhook samples, the basket
 * datasets) lives beside the repository in `../shared`. A clean clone made elsewhere
 * (CI clones to a temporary directory) finds it beside the checkout it was cloned
 * from. PATHWISE_SHARED_DIR overrides both.
 */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
let resolved: string | undefined;

export function sharedDir(): string {
  if (resolved) return resolved;
  const candidates = [process.env.PATHWISE_SHARED_DIR, path.join(REPO_ROOT, "..", "shared"), besideMainCheckout(), besideOrigin()].filter((dir): dir is string => Boolean(dir));
  const found = candidates.find((dir) => existsSync(dir));
  if (!found) {
    throw new Error(`Shared data not found (looked in ${candidates.join(", ")}): set PATHWISE_SHARED_DIR to the directory holding fixtures/ and datasets/.`);
  }
  return (resolved = found);
}

/** `../shared` beside the main checkout, when this is one of its worktrees (`git worktree add`). */
function besideMainCheckout(): string | null {
  try {
    const common = execFileSync("git", ["rev-parse", "--path-format=absolute", "--git-common-dir"], { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return path.join(path.dirname(common), "..", "shared");
  } catch {
    return null;
  }
}

/** `../shared` beside the local checkout this one was cloned from, if it was. */
function besideOrigin(): string | null {
  try {
    const origin = execFileSync("git", ["config", "--get", "remote.origin.url"], { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const local = origin.startsWith("file://") ? fileURLToPath(origin) : origin;
    return path.isAbsolute(local) ? path.join(local, "..", "shared") : null;
  } catch {
    return null;
  }
}
