import { z } from "zod";
import { DEFAULT_COPY, EMAIL_LOCALES, type EmailLocale, type MessageCopy } from "../email/templates/copy";

/** Merchant settings of a flow, validated with clear messages on each field. */
const copySchema = z.object({
  subject: z.string().trim().min(1, "Subject can't be empty").max(150, "Keep the subject under 150 characters"),
  previewText: z.string().trim().max(200, "Keep the preview text under 200 characters"),
  heading: z.string().trim().max(150),
  body: z.string().trim().max(2000),
});

export const stepSchema = z.object({
  key: z.string(),
  enabled: z.boolean(),
  delayMinutes: z.number({ invalid_type_error: "Enter a delay in minutes" }).int("Use whole minutes").min(1, "The delay must be at least 1 minute").max(60 * 24 * 30, "At most 30 days"),
  discount: z
    .object({
      enabled: z.boolean(),
      percent: z.number({ invalid_type_error: "Enter a percentage" }).int("Use a whole percentage").min(1, "The discount must be between 1% and 100%").max(100, "The discount must be between 1% and 100%"),
      expiresHours: z.number().int().min(1, "At least 1 hour").max(24 * 30, "At most 30 days"),
    })
    .optional(),
  copy: z.record(z.enum(EMAIL_LOCALES as [EmailLocale, ...EmailLocale[]]), copySchema),
});

export const flowSettingsSchema = z.object({
  steps: z.array(stepSchema).min(1),
  /** An order by the same customer within this many days ends the run. */
  exitWindowDays: z.number().int().min(1).max(60),
});

export type FlowStep = z.infer<typeof stepSchema>;
export type FlowSettings = z.infer<typeof flowSettingsSchema>;

const copyFor = (key: keyof typeof DEFAULT_COPY): Record<EmailLocale, MessageCopy> => structuredClone(DEFAULT_COPY[key]);

export const ABANDONED_CHECKOUT = "abandoned_checkout";

export function defaultAbandonedCheckoutSettings(): FlowSettings {
  return {
    exitWindowDays: 7,
    steps: [
      { key: "email_1", enabled: true, delayMinutes: 60, copy: copyFor("abandoned_1") },
      { key: "email_2", enabled: true, delayMinutes: 24 * 60, discount: { enabled: true, percent: 10, expiresHours: 48 }, copy: copyFor("abandoned_2") },
      { key: "email_3", enabled: false, delayMinutes: 72 * 60, copy: copyFor("abandoned_3") },
    ],
  };
}

/** Form fields (step_1_delay, step_2_discount_percent, step_1_subject_ko …) -> settings, or field errors. */
export function settingsFromForm(form: FormData, current: FlowSettings): { ok: true; settings: FlowSettings } | { ok: false; errors: Record<string, string> } {
  const number = (name: string) => {
    const raw = form.get(name);
    return raw === null || raw === "" ? NaN : Number(raw);
  };
  const candidate: FlowSettings = structuredClone(current);
  candidate.steps.forEach((step, index) => {
    const n = index + 1;
    step.enabled = index === 0 ? true : checkboxTicked(form, `step_${n}_enabled`);
    step.delayMinutes = Math.round(number(`step_${n}_delay_hours`) * 60);
    if (step.discount) {
      step.discount.enabled = checkboxTicked(form, `step_${n}_discount_enabled`);
      step.discount.percent = number(`step_${n}_discount_percent`);
      step.discount.expiresHours = number(`step_${n}_discount_expires_hours`);
    }
    for (const locale of EMAIL_LOCALES) {
      const subject = form.get(`step_${n}_subject_${locale}`);
      const preview = form.get(`step_${n}_preview_${locale}`);
      const copy = (step.copy[locale] ??= { ...DEFAULT_COPY.abandoned_1[locale] });
      if (subject !== null) copy.subject = String(subject);
      if (preview !== null) copy.previewText = String(preview);
    }
  });
  const parsed = flowSettingsSchema.safeParse(candidate);
  const errors: Record<string, string> = {};
  for (const issue of parsed.error?.issues ?? []) {
    const [, index, field, sub, locale] = issue.path;
    const n = Number(index) + 1;
    const name =
      field === "delayMinutes" ? `step_${n}_delay_hours`
      : field === "discount" ? `step_${n}_discount_${sub === "expiresHours" ? "expires_hours" : "percent"}`
      : field === "copy" ? `step_${n}_${locale === "previewText" ? "preview" : "subject"}_${sub}`
      : String(issue.path.join("."));
    errors[name] ??= field === "delayMinutes" && issue.code === "too_small" ? "The delay must be at least 1 minute (0.02 hours)" : issue.message;
  }
  // A field's own error (empty, 0, too long) says more than its order against the others.
  for (const [name, message] of Object.entries(stepOrderErrors(candidate.steps))) errors[name] ??= message;
  if (parsed.success && !Object.keys(errors).length) return { ok: true, settings: parsed.data };
  return { ok: false, errors };
}

/**
 * Each enabled email must come later than the enabled one before it: a step is timed
 * from when the shopper left, like the others, so one due at or before its predecessor
 * would go out in the same moment (and smart sending would skip it) or never. Checked
 * on the form, not in the stored settings' schema: settings saved before this rule
 * must keep working rather than fall back to the defaults.
 */
function stepOrderErrors(steps: FlowStep[]): Record<string, string> {
  const errors: Record<string, string> = {};
  let previous: { n: number; delayMinutes: number } | null = null;
  steps.forEach((step, index) => {
    if (!step.enabled || !Number.isFinite(step.delayMinutes)) return;
    const n = index + 1;
    if (previous && step.delayMinutes <= previous.delayMinutes) {
      errors[`step_${n}_delay_hours`] = `Email ${n} must be sent after email ${previous.n}: set more than ${hoursText(previous.delayMinutes)}`;
    }
    previous = { n, delayMinutes: step.delayMinutes };
  });
  return errors;
}

function hoursText(minutes: number): string {
  const hours = Math.round((minutes / 60) * 100) / 100;
  return `${hours} ${hours === 1 ? "hour" : "hours"}`;
}

/**
 * A checkbox posts its field only when ticked, with whatever value it carries (Polaris's
 * Checkbox renders value="" unless given one; a browser's default is "on"): presence is
 * the answer. An explicit "false" (a hidden input standing in for it) is off.
 */
export function checkboxTicked(form: FormData, name: string): boolean {
  return form.has(name) && form.get(name) !== "false";
}
