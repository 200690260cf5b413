/**
 * Default copy of every marketing email, in English, Korean and Thai. Merchants
 * override subject, preview text, heading and body per language; placeholders:
 * {{first_name}}, {{shop_name}}, {{discount_code}}, {{discount_percent}}.
 */
export type EmailLocale = "en" | "ko" | "th";
export const EMAIL_LOCALES: EmailLocale[] = ["en", "ko", "th"];
/** The languages' names, in English, as the admin (in English) shows them. */
export const EMAIL_LOCALE_NAMES: Record<EmailLocale, string> = { en: "English", ko: "Korean", th: "Thai" };

/**
 * What a merchant may write in subject and preview text: the values renderMarketingEmail
 * fills in. The discount ones are empty unless the email carries a discount code.
 */
export function placeholderHelp(withDiscount: boolean): string {
  const base = "Subject and preview text can use {{first_name}} (the shopper's first name, or \"there\") and {{shop_name}} (your store's name)";
  return withDiscount ? `${base}; when the discount is on, also {{discount_code}} (the shopper's code), {{discount_percent}} (the discount, a number: write {{discount_percent}}%) and {{discount_hours}} (how many hours the code runs for).` : `${base}.`;
}

export interface MessageCopy {
  subject: string;
  previewText: string;
  heading: string;
  body: string;
}

type Key = "abandoned_1" | "abandoned_2" | "abandoned_3" | "cross_sell";

export const DEFAULT_COPY: Record<Key, Record<EmailLocale, MessageCopy>> = {
  abandoned_1: {
    en: { subject: "You left something in your cart", previewText: "Your party picks are still waiting for you.", heading: "Still planning the party, {{first_name}}?", body: "We saved your cart at {{shop_name}}. Pick up right where you left off." },
    ko: { subject: "장바구니에 담아 두신 상품이 있어요", previewText: "고르신 파티 용품이 기다리고 있어요.", heading: "{{first_name}}님, 파티 준비는 잘 되고 있나요?", body: "{{shop_name}}에서 장바구니를 저장해 두었어요. 멈춘 곳에서 바로 이어서 주문하세요." },
    th: { subject: "คุณลืมสินค้าไว้ในตะกร้า", previewText: "ของปาร์ตี้ที่คุณเลือกยังรอคุณอยู่", heading: "ยังวางแผนปาร์ตี้อยู่ใช่ไหม {{first_name}}", body: "{{shop_name}} เก็บตะกร้าของคุณไว้แล้ว กลับมาสั่งซื้อต่อได้ทันที" },
  },
  abandoned_2: {
    en: { subject: "A little something to finish your order", previewText: "{{discount_percent}}% off your cart, for the next {{discount_hours}} hours.", heading: "Your cart is still here", body: "Use code {{discount_code}} for {{discount_percent}}% off your order at {{shop_name}}." },
    ko: { subject: "주문을 마무리할 작은 선물", previewText: "{{discount_hours}}시간 동안 장바구니 {{discount_percent}}% 할인", heading: "장바구니가 아직 그대로 있어요", body: "{{shop_name}}에서 코드 {{discount_code}}를 입력하면 {{discount_percent}}% 할인됩니다." },
    th: { subject: "ของขวัญเล็ก ๆ ให้คุณสั่งซื้อให้เสร็จ", previewText: "ลด {{discount_percent}}% สำหรับตะกร้าของคุณภายใน {{discount_hours}} ชั่วโมง", heading: "ตะกร้าของคุณยังอยู่ที่นี่", body: "ใช้โค้ด {{discount_code}} รับส่วนลด {{discount_percent}}% ที่ {{shop_name}}" },
  },
  abandoned_3: {
    en: { subject: "Last call for your cart", previewText: "We can't hold your items much longer.", heading: "Last chance, {{first_name}}", body: "Your cart at {{shop_name}} will not be saved for long." },
    ko: { subject: "장바구니 마지막 알림", previewText: "상품을 오래 보관할 수 없어요.", heading: "{{first_name}}님, 마지막 기회예요", body: "{{shop_name}}의 장바구니는 곧 사라져요." },
    th: { subject: "แจ้งเตือนครั้งสุดท้ายสำหรับตะกร้าของคุณ", previewText: "เราเก็บสินค้าไว้ให้ได้อีกไม่นาน", heading: "โอกาสสุดท้าย {{first_name}}", body: "ตะกร้าของคุณที่ {{shop_name}} จะถูกเก็บไว้อีกไม่นาน" },
  },
  cross_sell: {
    en: { subject: "You might also like", previewText: "Picked for you from what other party planners bought.", heading: "Complete the party, {{first_name}}", body: "Customers who bought what you did at {{shop_name}} also loved these." },
    ko: { subject: "이런 상품도 좋아하실 거예요", previewText: "다른 고객들이 함께 구매한 상품을 골랐어요.", heading: "{{first_name}}님, 파티를 완성해 보세요", body: "{{shop_name}}에서 같은 상품을 구매한 고객들이 이 상품도 좋아했어요." },
    th: { subject: "คุณอาจชอบสินค้าเหล่านี้", previewText: "คัดมาให้จากสิ่งที่ลูกค้าคนอื่นซื้อ", heading: "เติมปาร์ตี้ให้สมบูรณ์ {{first_name}}", body: "ลูกค้าที่ซื้อสินค้าเดียวกับคุณที่ {{shop_name}} ชอบสินค้าเหล่านี้ด้วย" },
  },
};

export const UI_COPY: Record<EmailLocale, { cta: string; ctaCrossSell: string; quantity: string; footer: string; unsubscribe: string; code: string; expires: string; friend: string; view: string }> = {
  en: { cta: "Return to your cart", ctaCrossSell: "Shop now", quantity: "Qty", footer: "You are receiving this email because you subscribed to marketing from {{shop_name}}.", unsubscribe: "Unsubscribe", code: "Your code", expires: "Expires", friend: "there", view: "View" },
  ko: { cta: "장바구니로 돌아가기", ctaCrossSell: "지금 쇼핑하기", quantity: "수량", footer: "{{shop_name}}의 마케팅 수신에 동의하셔서 이 이메일을 받으셨습니다.", unsubscribe: "수신 거부", code: "할인 코드", expires: "만료", friend: "고객", view: "보기" },
  th: { cta: "กลับไปที่ตะกร้า", ctaCrossSell: "ช้อปเลย", quantity: "จำนวน", footer: "คุณได้รับอีเมลนี้เพราะคุณสมัครรับข่าวสารการตลาดจาก {{shop_name}}", unsubscribe: "ยกเลิกการรับอีเมล", code: "โค้ดของคุณ", expires: "หมดอายุ", friend: "คุณลูกค้า", view: "ดู" },
};

/** "ko-KR" -> ko; unknown -> the shop's primary locale if supported -> en. */
export function resolveEmailLocale(customerLocale: string | null | undefined, shopPrimaryLocale: string | null | undefined): EmailLocale {
  for (const candidate of [customerLocale, shopPrimaryLocale]) {
    const language = candidate?.toLowerCase().split(/[-_]/)[0];
    if (language && (EMAIL_LOCALES as string[]).includes(language)) return language as EmailLocale;
  }
  return "en";
}

export function interpolate(template: string, values: Record<string, string | number | null | undefined>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name) => String(values[name] ?? ""));
}
