import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "../app/infra/postgres.server";

/** The embedded PostgreSQL's postmaster (its backends are its children), for CPU accounting. */
export function embeddedPostgresPid(embedded: boolean): number | undefined {
  if (!embedded) return undefined;
  try {
    const pidFile = path.resolve(process.env.PATHWISE_PG_DIR ?? path.join(repoRoot(), ".data", "postgres"), "postmaster.pid");
    return Number(readFileSync(pidFile, "utf8").split("\n")[0]) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds used so far by a process and its descendants, live or exited (Linux /proc;
 * 0 elsewhere). An exited child's time moves into its parent's cutime/cstime when the
 * parent reaps it (the postmaster reaps its backends), so counting those keeps the sum
 * from dropping when a connection closes.
 * Other engineers' work shares the cores, so wall-clock rates move with the machine's
 * load; CPU per unit of work does not, and says what a change did.
 */
export function treeCpuSeconds(rootPid: number | undefined): number {
  if (!rootPid) return 0;
  try {
    const stats = new Map<number, { ppid: number; ticks: number }>();
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        stats.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]) });
      } catch {
        // exited meanwhile
      }
    }
    let ticks = 0;
    const pending = [rootPid];
    while (pending.length) {
      const pid = pending.pop()!;
      ticks += stats.get(pid)?.ticks ?? 0;
      for (const [child, info] of stats) if (info.ppid === pid) pending.push(child);
    }
    return ticks / 100;
  } catch {
    return 0;
  }
}
