import { defineConfig } from "vitest/config";

// The simulator's own tests need no database: `npx vitest run --config simulator/vitest.config.ts`.
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ["**/*.test.ts"],
    testTimeout: 30_000,
  },
});
