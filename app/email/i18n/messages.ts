import type { EmailLocale } from "./locale";

/**
 * Default copy of every email in English, Korean and Thai.
 *
 * Conventions that keep the copy natural when the first name is unknown:
 *   - English never puts {{first_name}} in a heading; the body opens "Hi {{first_name}},"
 *     and the fallback is "there".
 *   - Korean writes "{{first_name}}님"; the fallback "고객" reads "고객님".
 *   - Thai writes "คุณ{{first_name}}"; the fallback "ลูกค้า" reads "คุณลูกค้า".
 */

/** The four strings a merchant can override per language. */
export interface MessageCopy {
  subject: string;
  previewText: string;
  heading: string;
  body: string;
}

export const COPY_KEYS = [
  "abandoned_checkout_1",
  "abandoned_checkout_2",
  "abandoned_checkout_2_discount",
  "abandoned_checkout_3",
  "cross_sell",
  "review_request",
] as const;
export type CopyKey = (typeof COPY_KEYS)[number];

export const DEFAULT_MESSAGES: Record<CopyKey, Record<EmailLocale, MessageCopy>> = {
  abandoned_checkout_1: {
    en: {
      subject: "You left something in your cart",
      previewText: "Your items are saved. Pick up right where you left off.",
      heading: "Did you forget something?",
      body: "Hi {{first_name}}, we saved the items in your cart at {{shop_name}}. They're ready whenever you are.",
    },
    ko: {
      subject: "장바구니에 담아 두신 상품이 있어요",
      previewText: "담아 두신 상품을 그대로 저장해 두었어요.",
      heading: "{{first_name}}님, 잊으신 건 없나요?",
      body: "{{shop_name}}에서 장바구니에 담으신 상품을 그대로 보관하고 있어요. 준비되시면 언제든 주문을 마무리해 주세요.",
    },
    th: {
      subject: "คุณลืมสินค้าไว้ในตะกร้า",
      previewText: "เราเก็บสินค้าของคุณไว้แล้ว กลับมาสั่งซื้อต่อได้เลย",
      heading: "คุณ{{first_name}} ลืมอะไรไว้หรือเปล่า",
      body: "{{shop_name}} เก็บสินค้าในตะกร้าของคุณไว้ให้แล้ว พร้อมเมื่อไหร่ก็กลับมาสั่งซื้อต่อได้ทันที",
    },
  },
  abandoned_checkout_2: {
    en: {
      subject: "Your cart is still waiting for you",
      previewText: "The items you picked are still available, for now.",
      heading: "Still thinking it over?",
      body: "Hi {{first_name}}, the items you chose at {{shop_name}} are still in your cart. Complete your order before they sell out.",
    },
    ko: {
      subject: "장바구니가 아직 기다리고 있어요",
      previewText: "마음에 드셨던 상품, 아직 구매하실 수 있어요.",
      heading: "{{first_name}}님, 아직 고민 중이신가요?",
      body: "{{shop_name}}에서 고르신 상품이 장바구니에 그대로 있어요. 품절되기 전에 주문을 완료해 보세요.",
    },
    th: {
      subject: "ตะกร้าของคุณยังรออยู่",
      previewText: "สินค้าที่คุณเลือกไว้ยังสั่งซื้อได้อยู่",
      heading: "คุณ{{first_name}} ยังตัดสินใจอยู่ใช่ไหม",
      body: "สินค้าที่คุณเลือกไว้ที่ {{shop_name}} ยังอยู่ในตะกร้า สั่งซื้อให้เรียบร้อยก่อนสินค้าหมดนะ",
    },
  },
  abandoned_checkout_2_discount: {
    en: {
      subject: "Still deciding? Here's {{discount_percent}}% off",
      previewText: "Use code {{discount_code}} to finish your order.",
      heading: "A little something to help you decide",
      body: "Hi {{first_name}}, complete your order at {{shop_name}} with code {{discount_code}} and get {{discount_percent}}% off.",
    },
    ko: {
      subject: "{{discount_percent}}% 할인 코드를 보내 드려요",
      previewText: "할인 코드({{discount_code}})로 주문을 마무리해 보세요.",
      heading: "{{first_name}}님을 위한 작은 선물",
      body: "{{shop_name}}에서 결제하실 때 할인 코드({{discount_code}})를 입력하시면 주문 금액의 {{discount_percent}}%를 할인해 드려요.",
    },
    th: {
      subject: "รับส่วนลด {{discount_percent}}% สำหรับตะกร้าของคุณ",
      previewText: "ใช้โค้ด {{discount_code}} เพื่อสั่งซื้อให้เสร็จ",
      heading: "ของขวัญเล็ก ๆ สำหรับคุณ{{first_name}}",
      body: "ใส่โค้ด {{discount_code}} ตอนชำระเงินที่ {{shop_name}} รับส่วนลด {{discount_percent}}% สำหรับคำสั่งซื้อของคุณ",
    },
  },
  abandoned_checkout_3: {
    en: {
      subject: "Last chance to complete your order",
      previewText: "We can't hold your items much longer.",
      heading: "Last call for your cart",
      body: "Hi {{first_name}}, we can't hold the items you picked at {{shop_name}} much longer. Complete your order before they're gone.",
    },
    ko: {
      subject: "장바구니 상품, 곧 사라져요",
      previewText: "담아 두신 상품을 더 오래 보관하기 어려워요.",
      heading: "{{first_name}}님, 마지막 알림이에요",
      body: "{{shop_name}}에서 담아 두신 상품을 곧 더 이상 보관할 수 없어요. 품절되기 전에 주문을 완료해 주세요.",
    },
    th: {
      subject: "โอกาสสุดท้ายก่อนตะกร้าของคุณหมดอายุ",
      previewText: "เราเก็บสินค้าไว้ให้ได้อีกไม่นาน",
      heading: "แจ้งเตือนครั้งสุดท้ายสำหรับตะกร้าของคุณ",
      body: "คุณ{{first_name}} สินค้าที่คุณเลือกไว้ที่ {{shop_name}} จะถูกเก็บไว้อีกไม่นาน สั่งซื้อให้เรียบร้อยก่อนสินค้าหมดนะ",
    },
  },
  cross_sell: {
    en: {
      subject: "You might also like these",
      previewText: "Picked for you, based on your recent order.",
      heading: "You might also like",
      body: "Hi {{first_name}}, customers who bought what you did at {{shop_name}} also loved these.",
    },
    ko: {
      subject: "이 상품도 마음에 드실 거예요",
      previewText: "최근 주문하신 상품을 바탕으로 골라 봤어요.",
      heading: "함께 보면 좋은 상품",
      body: "{{first_name}}님, {{shop_name}}에서 같은 상품을 구매하신 분들이 이 상품들도 많이 찾으셨어요.",
    },
    th: {
      subject: "สินค้าที่คุณอาจชอบ",
      previewText: "คัดสรรมาเพื่อคุณจากคำสั่งซื้อล่าสุด",
      heading: "คุณอาจชอบสินค้าเหล่านี้",
      body: "คุณ{{first_name}} ลูกค้าที่ซื้อสินค้าเดียวกับคุณที่ {{shop_name}} ชื่นชอบสินค้าเหล่านี้ด้วย",
    },
  },
  review_request: {
    en: {
      subject: "How did we do? Review your order from {{shop_name}}",
      previewText: "Your feedback helps other shoppers. It only takes a minute.",
      heading: "How are you liking your order?",
      body: "Hi {{first_name}}, we hope your order from {{shop_name}} arrived safely. Would you take a minute to tell other shoppers what you think?",
    },
    ko: {
      subject: "{{shop_name}}에서 주문하신 상품은 마음에 드셨나요?",
      previewText: "1분이면 충분해요. 소중한 후기를 남겨 주세요.",
      heading: "주문하신 상품은 어떠셨나요?",
      body: "{{first_name}}님, {{shop_name}}에서 주문하신 상품은 잘 받으셨나요? 잠시 시간을 내어 후기를 남겨 주시면 다른 고객분들께 큰 도움이 돼요.",
    },
    th: {
      subject: "สินค้าจาก {{shop_name}} เป็นอย่างไรบ้าง",
      previewText: "ใช้เวลาเพียงนาทีเดียว รีวิวของคุณช่วยลูกค้าคนอื่นได้มาก",
      heading: "สินค้าที่คุณสั่งเป็นอย่างไรบ้าง",
      body: "คุณ{{first_name}} หวังว่าคุณได้รับสินค้าจาก {{shop_name}} เรียบร้อยแล้ว ช่วยสละเวลาสักครู่เขียนรีวิวเพื่อเป็นข้อมูลให้ลูกค้าคนอื่นได้ไหม",
    },
  },
};

/** Labels and fixed sentences around the merchant's copy. */
export interface UiStrings {
  /** What {{first_name}} becomes when the name is unknown (see the conventions above). */
  firstNameFallback: string;
  returnToCart: string;
  shopNow: string;
  viewProduct: string;
  writeReview: string;
  quantity: string;
  /** "{{quantity}} × {{price}}" */
  quantityTimesPrice: string;
  yourItems: string;
  discountCodeLabel: string;
  /** "{{discount_percent}}% off your order" */
  discountOff: string;
  /** "Expires {{expires_at}}" */
  discountExpires: string;
  /** Footer for marketing emails (consent-based). */
  footerMarketing: string;
  /** Footer for emails about an order the customer placed (review request). */
  footerOrder: string;
  unsubscribe: string;
  managePreferences: string;
  testBanner: string;
  testSubjectPrefix: string;
}

export const UI_STRINGS: Record<EmailLocale, UiStrings> = {
  en: {
    firstNameFallback: "there",
    returnToCart: "Return to your cart",
    shopNow: "Shop now",
    viewProduct: "View product",
    writeReview: "Write a review",
    quantity: "Qty",
    quantityTimesPrice: "{{quantity}} × {{price}}",
    yourItems: "Your items",
    discountCodeLabel: "Your discount code",
    discountOff: "{{discount_percent}}% off your order",
    discountExpires: "Expires {{expires_at}}",
    footerMarketing: "You are receiving this email because you subscribed to marketing emails from {{shop_name}}.",
    footerOrder: "You are receiving this email because you placed an order with {{shop_name}}.",
    unsubscribe: "Unsubscribe",
    managePreferences: "Manage email preferences",
    testBanner: "This is a test email. It may contain sample data, and nothing in it is tracked as a real send.",
    testSubjectPrefix: "[Test]",
  },
  ko: {
    firstNameFallback: "고객",
    returnToCart: "장바구니로 돌아가기",
    shopNow: "지금 쇼핑하기",
    viewProduct: "상품 보기",
    writeReview: "리뷰 쓰기",
    quantity: "수량",
    quantityTimesPrice: "{{quantity}}개 × {{price}}",
    yourItems: "장바구니 상품",
    discountCodeLabel: "할인 코드",
    discountOff: "주문 금액 {{discount_percent}}% 할인",
    discountExpires: "{{expires_at}}까지 사용 가능",
    footerMarketing: "{{shop_name}}의 마케팅 이메일 수신에 동의하셔서 이 메일을 보내 드렸습니다.",
    footerOrder: "{{shop_name}}에서 주문하신 내역이 있어 이 메일을 보내 드렸습니다.",
    unsubscribe: "수신 거부",
    managePreferences: "이메일 수신 설정",
    testBanner: "테스트 이메일입니다. 예시 데이터가 들어 있을 수 있으며 실제 발송으로 집계되지 않아요.",
    testSubjectPrefix: "[테스트]",
  },
  th: {
    firstNameFallback: "ลูกค้า",
    returnToCart: "กลับไปที่ตะกร้า",
    shopNow: "ช้อปเลย",
    viewProduct: "ดูสินค้า",
    writeReview: "เขียนรีวิว",
    quantity: "จำนวน",
    quantityTimesPrice: "{{quantity}} × {{price}}",
    yourItems: "สินค้าในตะกร้า",
    discountCodeLabel: "โค้ดส่วนลดของคุณ",
    discountOff: "ลด {{discount_percent}}% สำหรับคำสั่งซื้อของคุณ",
    discountExpires: "ใช้ได้ถึง {{expires_at}}",
    footerMarketing: "คุณได้รับอีเมลนี้เนื่องจากคุณสมัครรับอีเมลข่าวสารจาก {{shop_name}}",
    footerOrder: "คุณได้รับอีเมลนี้เนื่องจากคุณเคยสั่งซื้อสินค้ากับ {{shop_name}}",
    unsubscribe: "ยกเลิกการรับอีเมล",
    managePreferences: "ตั้งค่าการรับอีเมล",
    testBanner: "นี่คืออีเมลทดสอบ อาจมีข้อมูลตัวอย่าง และจะไม่ถูกนับเป็นการส่งจริง",
    testSubjectPrefix: "[ทดสอบ]",
  },
};
