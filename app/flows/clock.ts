/**
 * The flows' notion of now. Production reads the wall clock; tests and the demo
 * move it (quiet hours, waits of hours or days) without sleeping.
 */
let offsetMs = 0;
let fixed: Date | null = null;

export const flowClock = {
  now(): Date {
    return fixed ? new Date(fixed) : new Date(Date.now() + offsetMs);
  },
  advance(ms: number) {
    if (fixed) fixed = new Date(fixed.getTime() + ms);
    else offsetMs += ms;
  },
  set(date: Date | null) {
    fixed = date;
  },
  /**
   * When the job queue (which runs on the database's real clock) should run
   * something due at `at` on this clock. Identity in production.
   */
  jobTime(at: Date): Date {
    return new Date(Date.now() + (at.getTime() - this.now().getTime()));
  },
  reset() {
    offsetMs = 0;
    fixed = null;
  },
};
