// pretest: browser tests drive Debian's Chromium (/usr/bin/chromium) with playwright-core.
// On a fresh machine where we are root, install it from Debian's packages once.
import { existsSync } from "node:fs";
import { execSync } from "node:child_process";

const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(path)) {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot) {
    console.error(`Chromium is missing at ${path}: install it (sudo apt-get install -y chromium) to run the browser tests.`);
    process.exit(0);
  }
  console.log("Installing Debian's chromium for the browser tests…");
  execSync("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null", { stdio: "inherit", shell: "/bin/bash" });
}
