/**
 * A graceful stop on SIGINT and SIGTERM for an entry point: the first signal runs
 * `stop`, then exits (0, or 1 when the stop failed); later signals are ignored while
 * it runs. A terminal's Ctrl-C reaches the process twice under tsx (from the terminal,
 * and relayed by tsx), and a second signal with no listener left would kill it halfway
 * through its stop. Returns the same stop, for other triggers (a child that exited).
 */
export function stopOnSignals(stop: () => Promise<void>): () => Promise<void> {
  let stopping: Promise<void> | null = null;
  const run = () =>
    (stopping ??= stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("[shutdown] failed:", error instanceof Error ? error.message : error);
        process.exit(1);
      },
    ));
  process.on("SIGINT", run);
  process.on("SIGTERM", run);
  return run;
}
