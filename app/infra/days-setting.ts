/**
 * A retention window in whole days from an environment variable: its default when
 * unset or empty; otherwise a whole number of at least `min`, or an error that names
 * the variable, the minimum and why there is one (workers check these at start).
 */
export function daysSetting(name: string, value: string | undefined, options: { default: number; min: number; why: string }): number {
  if (value === undefined || value.trim() === "") return options.default;
  const days = Number(value);
  if (!Number.isInteger(days) || days < options.min) {
    throw new Error(`${name} must be a whole number of days, at least ${options.min} (${options.why}); got "${value}"`);
  }
  return days;
}
