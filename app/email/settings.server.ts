import { z } from "zod";
import prisma from "../db.server";
import { DEFAULT_SENDING_RULES, formatMinutes, parseMinutes, type SendingRules } from "./sending-rules";
import { HEX_COLOR } from "./colors";

/** A shop's email settings: branding plus the sending rules, with defaults when the shop never saved any. */
export interface EmailSettings extends SendingRules {
  fromName: string | null;
  replyTo: string | null;
  accentColor: string;
  logoUrl: string | null;
  clickAttributionDays: number;
}

export const DEFAULT_EMAIL_SETTINGS: EmailSettings = {
  ...DEFAULT_SENDING_RULES,
  fromName: null,
  replyTo: null,
  accentColor: "#1a73e8",
  logoUrl: null,
  clickAttributionDays: 5,
};

/**
 * Inside a transaction pass its client: a query on the global client there needs a
 * second pool connection while the transaction holds row locks, and with the pool
 * busy on transactions waiting for those locks nobody progresses until Prisma's
 * transaction timeout (5 s) rolls one back.
 */
export async function getEmailSettings(shop: string, db: Pick<typeof prisma, "shopEmailSettings"> = prisma): Promise<EmailSettings> {
  const row = await db.shopEmailSettings.findUnique({ where: { shop } });
  if (!row) return { ...DEFAULT_EMAIL_SETTINGS };
  return {
    fromName: row.fromName,
    replyTo: row.replyTo,
    accentColor: row.accentColor,
    logoUrl: row.logoUrl,
    requireConsent: row.requireConsent,
    quietHoursStart: row.quietHoursStart,
    quietHoursEnd: row.quietHoursEnd,
    smartSendingHours: row.smartSendingHours,
    clickAttributionDays: row.clickAttributionDays,
  };
}

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `At most ${max} characters`)
    .transform((value) => (value === "" ? null : value));

// Disabled fields are not posted: missing = empty.
const clockTime = z
  .string()
  .trim()
  .optional()
  .transform((value) => value ?? "")
  .refine((value) => value === "" || parseMinutes(value) !== null, "Use a 24-hour time like 21:00");

/** The settings form as posted (all strings), validated field by field. */
export const emailSettingsForm = z
  .object({
    fromName: optionalText(100),
    replyTo: optionalText(254).refine((value) => value === null || z.string().email().safeParse(value).success, "Enter a valid email address"),
    accentColor: z.string().trim().regex(HEX_COLOR, "Use a hex colour like #1a73e8"),
    logoUrl: optionalText(2000).refine((value) => value === null || /^https:\/\/\S+$/.test(value), "Use an https:// image URL"),
    requireConsent: z.union([z.literal("on"), z.literal("true"), z.literal("false"), z.literal("")]).optional().transform((value) => value === "on" || value === "true"),
    quietHoursEnabled: z.union([z.literal("on"), z.literal("true"), z.literal("false"), z.literal("")]).optional().transform((value) => value === "on" || value === "true"),
    quietHoursStart: clockTime,
    quietHoursEnd: clockTime,
    smartSendingHours: z.coerce.number({ invalid_type_error: "Enter a number of hours" }).int("Whole hours only").min(0, "0 (off) or more").max(168, "At most 168 hours (7 days)"),
    clickAttributionDays: z.coerce.number({ invalid_type_error: "Enter a number of days" }).int("Whole days only").min(1, "At least 1 day").max(30, "At most 30 days"),
  })
  .superRefine((form, ctx) => {
    if (!form.quietHoursEnabled) return;
    const start = parseMinutes(form.quietHoursStart);
    const end = parseMinutes(form.quietHoursEnd);
    if (start === null) ctx.addIssue({ code: "custom", path: ["quietHoursStart"], message: "Enter when quiet hours start, like 21:00" });
    if (end === null) ctx.addIssue({ code: "custom", path: ["quietHoursEnd"], message: "Enter when quiet hours end, like 08:00" });
    if (start !== null && end !== null && start === end) ctx.addIssue({ code: "custom", path: ["quietHoursEnd"], message: "Quiet hours must end at a different time than they start" });
  });

export type EmailSettingsFormValues = Record<keyof z.input<typeof emailSettingsForm>, string>;
export type FieldErrors = Partial<Record<keyof EmailSettingsFormValues, string>>;

export function settingsToForm(settings: EmailSettings): EmailSettingsFormValues {
  return {
    fromName: settings.fromName ?? "",
    replyTo: settings.replyTo ?? "",
    accentColor: settings.accentColor,
    logoUrl: settings.logoUrl ?? "",
    requireConsent: settings.requireConsent ? "true" : "false",
    quietHoursEnabled: settings.quietHoursStart !== null && settings.quietHoursEnd !== null ? "true" : "false",
    quietHoursStart: formatMinutes(settings.quietHoursStart ?? 21 * 60),
    quietHoursEnd: formatMinutes(settings.quietHoursEnd ?? 8 * 60),
    smartSendingHours: String(settings.smartSendingHours),
    clickAttributionDays: String(settings.clickAttributionDays),
  };
}

/** Validates and stores the form; returns field errors (and nothing stored) when any field is invalid. */
export async function saveEmailSettings(
  shop: string,
  input: Record<string, unknown>,
): Promise<{ ok: true; settings: EmailSettings } | { ok: false; errors: FieldErrors }> {
  const parsed = emailSettingsForm.safeParse(input);
  if (!parsed.success) {
    const errors: FieldErrors = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as keyof EmailSettingsFormValues | undefined;
      if (field && !errors[field]) errors[field] = issue.message;
    }
    return { ok: false, errors };
  }
  const form = parsed.data;
  const data = {
    fromName: form.fromName,
    replyTo: form.replyTo,
    accentColor: form.accentColor.toLowerCase(),
    logoUrl: form.logoUrl,
    requireConsent: form.requireConsent,
    quietHoursStart: form.quietHoursEnabled ? parseMinutes(form.quietHoursStart) : null,
    quietHoursEnd: form.quietHoursEnabled ? parseMinutes(form.quietHoursEnd) : null,
    smartSendingHours: form.smartSendingHours,
    clickAttributionDays: form.clickAttributionDays,
    updatedAt: new Date(),
  };
  await prisma.shopEmailSettings.upsert({ where: { shop }, create: { shop, ...data }, update: data });
  return { ok: true, settings: await getEmailSettings(shop) };
}
