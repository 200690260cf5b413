import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { applyShopifyCliEnvironment, listenHost } from "../../app/infra/shopify-cli-env";
import { freePort } from "../support/free-port";

/**
 * `shopify app dev` runs shopify.web.toml's dev command with the environment Shopify CLI
 * builds for web processes (launchWebProcess): the tunnel as HOST and APP_URL, never
 * SHOPIFY_APP_URL. The app must start on exactly that.
 */
const TUNNEL = "https://pathwise-dev.trycloudflare.com";

describe("the Shopify CLI's environment", () => {
  it("fills SHOPIFY_APP_URL from APP_URL or HOST, and never overrides an explicit one", () => {
    const cli: Record<string, string> = { HOST: TUNNEL, APP_URL: TUNNEL };
    applyShopifyCliEnvironment(cli);
    expect(cli.SHOPIFY_APP_URL).toBe(TUNNEL);
    const explicit: Record<string, string> = { HOST: TUNNEL, SHOPIFY_APP_URL: "https://app.example.com" };
    applyShopifyCliEnvironment(explicit);
    expect(explicit.SHOPIFY_APP_URL).toBe("https://app.example.com");
    const addressOnly: Record<string, string> = { HOST: "0.0.0.0" };
    applyShopifyCliEnvironment(addressOnly);
    expect(addressOnly.SHOPIFY_APP_URL).toBeUndefined();
  });

  it("listens on every interface in production, on loopback otherwise, and never on the CLI's URL", () => {
    expect(listenHost({ NODE_ENV: "production" })).toBe("0.0.0.0");
    expect(listenHost({ NODE_ENV: "development" })).toBe("127.0.0.1");
    expect(listenHost({ NODE_ENV: "development", HOST: TUNNEL })).toBe("127.0.0.1");
    expect(listenHost({ NODE_ENV: "production", HOST: "10.0.0.5" })).toBe("10.0.0.5");
  });
});

let dev: ChildProcess | undefined;
afterAll(async () => {
  if (!dev || dev.exitCode !== null) return;
  const exited = new Promise((resolve) => dev!.once("exit", resolve));
  process.kill(-dev.pid!, "SIGTERM");
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
  if (dev.exitCode === null) process.kill(-dev.pid!, "SIGKILL");
});

function get(port: number, pathname: string, hostHeader: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: "localhost", port, path: pathname, headers: { host: hostHeader } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("error", reject);
    request.end();
  });
}

describe("shopify.web.toml's dev command under the CLI's environment", () => {
  it("starts the database, the worker and Remix's dev server, which answers through the tunnel's host and refuses others", async () => {
    const [port, hmrPort] = [await freePort(), await freePort()];
    const repo = path.resolve(".");
    // Exactly what the CLI passes (plus PATH, the test's database and secret); nothing of this process's Shopify settings.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: process.env.DATABASE_URL,
      PATHWISE_SECRET: process.env.PATHWISE_SECRET,
      SHOPIFY_API_KEY: "dev-api-key",
      SHOPIFY_API_SECRET: "dev-api-secret",
      HOST: TUNNEL,
      APP_URL: TUNNEL,
      REMIX_DEV_ORIGIN: TUNNEL,
      SCOPES: "read_orders,read_products",
      NODE_ENV: "development",
      APP_ENV: "development",
      BACKEND_PORT: String(port),
      FRONTEND_PORT: String(hmrPort),
      PORT: String(port),
      SERVER_PORT: String(port),
    };
    // The CLI splits each command on spaces and runs it without a shell.
    const webToml = readFileSync(path.join(repo, "shopify.web.toml"), "utf8");
    const command = (name: string) => new RegExp(`^${name}\\s*=\\s*"([^"]+)"`, "m").exec(webToml)![1].split(" ");
    // predev is postinstall's generation (offline fallback included), which `npm ci` already ran: not rerun here,
    // since rewriting the generated client under the other test files could break them. (postinstall
    // applies patches/ first; the CLI runs commands without a shell, so predev cannot chain it.)
    const packageJson = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(packageJson.scripts.postinstall.split(" && ").at(-1)).toBe(command("predev").join(" "));
    let output = "";
    const [devFile, ...devArgs] = command("dev");
    dev = spawn(devFile, devArgs, { cwd: repo, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    dev.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    dev.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));

    const tunnelHost = new URL(TUNNEL).host;
    const deadline = Date.now() + 90_000;
    let status = 0;
    while (Date.now() < deadline && dev.exitCode === null) {
      status = await get(port, "/healthz", tunnelHost).catch(() => 0);
      if (status !== 0) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(dev.exitCode, output).toBeNull();
    expect(status, output).toBe(200);
    // The embedded admin's entry: authenticate.admin asks for a session token, it does not crash on an empty appUrl.
    const app = await get(port, `/app?shop=pathwise-dev.myshopify.com&host=${Buffer.from("admin.shopify.com/store/pathwise-dev").toString("base64url")}&embedded=1`, tunnelHost);
    expect([200, 302], output).toContain(app);
    // Opened without shop and host, the app sends the merchant to its login form, which answers (it used to be a 500).
    expect(await get(port, "/auth/login", tunnelHost)).toBe(200);
    // Vite's allowed hosts hold the tunnel, not everything.
    expect(await get(port, "/healthz", "attacker.example.com")).toBe(403);
    // (Offline, Vite also logs that the tunnel's name does not resolve for HMR: the sandbox has no DNS, a real tunnel has.)
    expect(output).not.toMatch(/empty appUrl|ShopifyError|Unhandled|failed/i);
  }, 150_000);
});
