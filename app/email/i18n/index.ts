export { DEFAULT_EMAIL_LOCALE, EMAIL_LOCALES, emailLanguageOf, formattingLocale, isEmailLocale, resolveEmailLocale, type EmailLocale } from "./locale";
export { COPY_PLACEHOLDERS, interpolate, unknownPlaceholders, type CopyPlaceholder, type InterpolationValues } from "./interpolate";
export { COPY_KEYS, DEFAULT_MESSAGES, UI_STRINGS, type CopyKey, type MessageCopy, type UiStrings } from "./messages";
