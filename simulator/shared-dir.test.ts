import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// Where the shared data is found from a checkout, run in a child process from a copy of
// the module placed in a throwaway repository laid out like ours.
const scratch = realpathSync(mkdtempSync(path.join(os.tmpdir(), "pathwise-shared-dir-")));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, stdio: "pipe", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" } });

function resolveFrom(checkout: string): string {
  const { PATHWISE_SHARED_DIR: _ignored, ...env } = process.env;
  return execFileSync(path.resolve("node_modules", ".bin", "tsx"), ["-e", 'import("./simulator/shared-dir.ts").then((m) => console.log(m.sharedDir()))'], { cwd: checkout, env, encoding: "utf8" }).trim();
}

describe("sharedDir", () => {
  const main = path.join(scratch, "work", "main");
  const shared = path.join(scratch, "work", "shared");
  mkdirSync(path.join(main, "simulator"), { recursive: true });
  mkdirSync(shared);
  copyFileSync(path.resolve("simulator", "shared-dir.ts"), path.join(main, "simulator", "shared-dir.ts"));
  writeFileSync(path.join(main, "package.json"), '{ "type": "module" }\n');
  git(main, "init", "-q");
  git(main, "add", ".");
  git(main, "commit", "-q", "-m", "init");

  it("is ../shared beside the checkout", () => {
    expect(resolveFrom(main)).toBe(shared);
  });

  it("is ../shared beside the main checkout from one of its worktrees elsewhere", () => {
    const worktree = path.join(scratch, "elsewhere", "wt");
    git(main, "worktree", "add", "-q", "--detach", worktree);
    expect(resolveFrom(worktree)).toBe(shared);
  });
});
