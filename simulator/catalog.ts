/**
 * The default seed of the dev-store simulator: a party-supplies shop (party
 * supplies, costumes, party cakes, confetti poppers). Products come in themes;
 * historical baskets are drawn mostly within a theme, which gives the order
 * history the co-purchase structure a real shop has.
 */
export interface CatalogProduct {
  handle: string;
  title: string;
  productType: string;
  theme: Theme;
  price: number; // in minor units
  popularity: number; // relative draw weight
  colour: string;
  variants?: string[];
  status?: "ACTIVE" | "DRAFT" | "ARCHIVED";
  soldOut?: boolean;
  /** Variants (by title) with no stock left while the product still sells. */
  soldOutVariants?: string[];
  giftCard?: boolean;
  tags?: string[];
  vendor?: string;
}

export type Theme = "birthday" | "halloween" | "cake" | "celebration" | "kids" | "wedding" | "gift";

const p = (
  handle: string,
  title: string,
  productType: string,
  theme: Theme,
  price: number,
  popularity: number,
  colour: string,
  extra: Partial<CatalogProduct> = {},
): CatalogProduct => ({ handle, title, productType, theme, price, popularity, colour, ...extra });

export const CATALOG: CatalogProduct[] = [
  // Birthday party supplies
  p("gold-number-balloons", "Gold Number Balloons", "Balloons", "birthday", 899, 9, "#d4a017", { variants: ["0-9 set", "Single digit"] }),
  p("pastel-balloon-garland", "Pastel Balloon Garland Kit", "Balloons", "birthday", 2499, 8, "#f4b6c2"),
  p("happy-birthday-banner", "Happy Birthday Banner", "Decorations", "birthday", 1299, 8, "#ff6f61"),
  p("birthday-candles-24", "Spiral Birthday Candles (24)", "Candles", "birthday", 499, 10, "#7fb3d5"),
  p("sparkler-candles", "Sparkler Cake Candles", "Candles", "birthday", 699, 6, "#f7dc6f"),
  p("paper-plates-confetti", "Confetti Paper Plates (16)", "Tableware", "birthday", 799, 9, "#f1948a"),
  p("paper-cups-stripes", "Striped Paper Cups (16)", "Tableware", "birthday", 699, 8, "#85c1e9"),
  p("party-napkins", "Party Napkins (20)", "Tableware", "birthday", 499, 8, "#bb8fce"),
  p("birthday-tablecloth", "Birthday Tablecloth", "Tableware", "birthday", 999, 5, "#f5b041"),
  p("foil-curtain-gold", "Gold Foil Curtain", "Decorations", "birthday", 1199, 5, "#d4ac0d"),
  p("led-balloon-lights", "LED Balloon Lights (10)", "Balloons", "birthday", 1499, 4, "#58d68d"),
  // Halloween costumes
  p("pirate-costume", "Pirate Captain Costume", "Costumes", "halloween", 3999, 7, "#1c2833", { variants: ["S", "M", "L", "XL"], soldOutVariants: ["XL"], tags: ["pirate", "adult"] }),
  p("witch-costume", "Classic Witch Costume", "Costumes", "halloween", 3499, 7, "#512e5f", { variants: ["S", "M", "L"], tags: ["witch", "adult"] }),
  p("superhero-cape", "Superhero Cape", "Costumes", "halloween", 1999, 6, "#c0392b", { variants: ["Kids", "Adult"], tags: ["superhero", "kids"] }),
  p("superhero-mask", "Superhero Eye Mask", "Masks", "halloween", 499, 5, "#2874a6", { tags: ["superhero", "kids"] }),
  p("vampire-teeth", "Vampire Fangs", "Costume Accessories", "halloween", 399, 7, "#ecf0f1"),
  p("witch-hat", "Pointed Witch Hat", "Costume Accessories", "halloween", 999, 6, "#4a235a"),
  p("pirate-hat-eyepatch", "Pirate Hat & Eyepatch Set", "Costume Accessories", "halloween", 1299, 6, "#17202a"),
  p("face-paint-kit", "Face Paint Kit (12 colours)", "Makeup", "halloween", 1599, 8, "#e74c3c"),
  p("fake-blood", "Stage Blood", "Makeup", "halloween", 699, 5, "#922b21"),
  p("masquerade-mask", "Masquerade Mask", "Masks", "halloween", 1199, 5, "#8e44ad"),
  p("skeleton-mask", "Skeleton Mask", "Masks", "halloween", 899, 5, "#f0f3f4"),
  p("rainbow-wig", "Rainbow Clown Wig", "Wigs", "halloween", 1399, 4, "#f39c12"),
  p("silver-wig", "Silver Bob Wig", "Wigs", "halloween", 1699, 3, "#bdc3c7"),
  p("pumpkin-bucket", "Trick-or-Treat Pumpkin Bucket", "Decorations", "halloween", 599, 6, "#e67e22"),
  p("spider-web-decor", "Stretchy Spider Web", "Decorations", "halloween", 499, 5, "#aab7b8"),
  // Party cakes
  p("chocolate-party-cake", "Chocolate Fudge Party Cake", "Cakes", "cake", 3499, 8, "#6e2c00", { variants: ["6 inch", "8 inch", "10 inch"] }),
  p("unicorn-cake", "Unicorn Rainbow Cake", "Cakes", "cake", 4299, 7, "#f5b7b1", { variants: ["6 inch", "8 inch"], soldOutVariants: ["8 inch"], tags: ["unicorn"] }),
  p("vanilla-sprinkle-cake", "Vanilla Sprinkle Cake", "Cakes", "cake", 2999, 6, "#fdebd0"),
  p("cupcake-set-12", "Cupcake Set (12)", "Cakes", "cake", 2499, 7, "#f8c471"),
  p("cake-topper-happy-birthday", "Happy Birthday Cake Topper", "Cake Decorations", "cake", 699, 8, "#f4d03f"),
  p("cake-topper-unicorn", "Unicorn Horn Cake Topper", "Cake Decorations", "cake", 899, 5, "#d7bde2"),
  p("edible-glitter", "Edible Glitter", "Cake Decorations", "cake", 599, 5, "#f9e79f"),
  p("cake-stand-gold", "Gold Cake Stand", "Tableware", "cake", 2199, 3, "#b7950b"),
  p("cake-knife-set", "Cake Knife & Server Set", "Tableware", "cake", 1499, 3, "#a6acaf"),
  p("cake-boxes", "Cake Boxes (5)", "Packaging", "cake", 899, 3, "#fad7a0", { soldOut: true }),
  // Celebration / New Year: confetti poppers and friends
  p("confetti-poppers-6", "Confetti Poppers (6)", "Confetti", "celebration", 1099, 10, "#ff5733"),
  p("gold-confetti-cannon", "Gold Confetti Cannon", "Confetti", "celebration", 1499, 7, "#f1c40f"),
  p("biodegradable-confetti", "Biodegradable Confetti", "Confetti", "celebration", 599, 6, "#82e0aa"),
  p("party-streamers", "Crepe Streamers (8 rolls)", "Decorations", "celebration", 699, 7, "#5dade2"),
  p("party-hats-8", "Party Hats (8)", "Party Hats", "celebration", 799, 8, "#eb984e"),
  p("party-horns", "Party Horns (12)", "Noisemakers", "celebration", 599, 6, "#a569bd"),
  p("champagne-flutes-plastic", "Plastic Champagne Flutes (12)", "Tableware", "celebration", 1299, 5, "#f7f9f9"),
  p("new-year-tiara", "New Year Tiara", "Party Hats", "celebration", 699, 4, "#d4ac0d"),
  p("photo-booth-props", "Photo Booth Props (30)", "Decorations", "celebration", 1599, 5, "#48c9b0"),
  p("disco-ball", "Mini Disco Ball", "Decorations", "celebration", 1899, 3, "#d5d8dc"),
  p("glow-sticks-50", "Glow Sticks (50)", "Party Favours", "celebration", 1299, 4, "#28b463", { status: "DRAFT" }),
  // Kids' parties
  p("pinata-star", "Star Piñata", "Piñatas", "kids", 2299, 6, "#f4d03f"),
  p("pinata-unicorn", "Unicorn Piñata", "Piñatas", "kids", 2599, 5, "#f5b7b1"),
  p("pinata-candy-mix", "Piñata Candy Mix", "Sweets", "kids", 1299, 6, "#ec7063"),
  p("pinata-stick-blindfold", "Piñata Stick & Blindfold", "Piñatas", "kids", 699, 5, "#7d3c98"),
  p("gift-bags-kraft", "Kraft Party Gift Bags (12)", "Gift Bags", "kids", 699, 7, "#ca6f1e"),
  p("bubble-wands", "Bubble Wands (12)", "Party Favours", "kids", 899, 5, "#5dade2"),
  p("temporary-tattoos", "Temporary Tattoos (50)", "Party Favours", "kids", 599, 5, "#45b39d"),
  p("balloon-animals-kit", "Balloon Animals Kit", "Balloons", "kids", 999, 4, "#e59866"),
  p("dinosaur-plates", "Dinosaur Plates (8)", "Tableware", "kids", 699, 4, "#52be80", { status: "DRAFT" }),
  // Wedding & hen party
  p("bride-to-be-sash", "Bride-to-Be Sash", "Accessories", "wedding", 899, 5, "#f5cba7"),
  p("heart-confetti", "Rose Gold Heart Confetti", "Confetti", "wedding", 699, 5, "#e6b0aa"),
  p("white-balloons-pearl", "Pearl White Balloons (20)", "Balloons", "wedding", 999, 5, "#fbfcfc"),
  p("just-married-banner", "Just Married Banner", "Decorations", "wedding", 1199, 4, "#f9ebea"),
  p("wedding-sparklers", "Wedding Sparklers (24)", "Candles", "wedding", 1599, 4, "#f7dc6f"),
  p("table-confetti-gold", "Gold Table Confetti", "Confetti", "wedding", 499, 4, "#d4ac0d"),
  p("veil-hen-party", "Hen Party Veil", "Accessories", "wedding", 799, 3, "#fdfefe", { status: "ARCHIVED" }),
  p("zombie-costume-2019", "Zombie Costume (2019 edition)", "Costumes", "halloween", 2999, 2, "#566573", { status: "ARCHIVED", variants: ["M", "L"] }),
  // Gift card
  p("gift-card", "Party Gift Card", "Gift Card", "gift", 2500, 3, "#2e86c1", { variants: ["$25", "$50", "$100"], giftCard: true, vendor: "Confetti & Co." }),
];

/** Themes that shoppers combine in one basket (a birthday needs a cake, a kids' party confetti). */
export const THEME_AFFINITY: Record<Theme, Theme[]> = {
  birthday: ["cake", "celebration", "kids"],
  halloween: ["celebration"],
  cake: ["birthday"],
  celebration: ["birthday", "wedding"],
  kids: ["birthday", "cake"],
  wedding: ["celebration", "cake"],
  gift: [],
};

/** Who makes what: cakes come from a bakery, costumes from a costume maker. */
export const VENDOR_BY_THEME: Record<Theme, string> = {
  birthday: "Confetti & Co.",
  halloween: "Costume Kingdom",
  cake: "Sweet Layers Bakery",
  celebration: "PopParty Supply",
  kids: "Confetti & Co.",
  wedding: "Ever After Events",
  gift: "Confetti & Co.",
};

export const FIRST_NAMES = ["Ava", "Liam", "Mia", "Noah", "Emma", "Lucas", "Chloe", "Ethan", "Sofia", "Leo", "Grace", "Owen", "Isla", "Mason", "Ruby", "Jack"];
export const KOREAN_NAMES = ["Minji", "Jisoo", "Hyun", "Seoyeon", "Jiwoo", "Yuna", "Doyun", "Haeun"];
export const THAI_NAMES = ["Ploy", "Nattapong", "Kanya", "Somchai", "Malee", "Anong", "Chai", "Dao"];
export const LAST_NAMES = ["Smith", "Brown", "Garcia", "Kim", "Lee", "Park", "Wong", "Nguyen", "Taylor", "Martin", "Chen", "Silva"];

/**
 * How shoppers actually fill a basket: a party "recipe" with slots, each slot
 * taken with some probability and filled by one of its products. A birthday
 * basket has balloons, candles and often a cake; a witch costume comes with a
 * hat and face paint. Seasonality weights the recipes by month (0 = January).
 */
export interface BasketRecipe {
  name: string;
  theme: Theme;
  slots: Array<{ handles: string[]; p: number }>;
}

const slot = (p: number, ...handles: string[]) => ({ handles, p });

export const BASKET_RECIPES: BasketRecipe[] = [
  {
    name: "birthday party",
    theme: "birthday",
    slots: [
      slot(0.8, "gold-number-balloons", "pastel-balloon-garland", "led-balloon-lights"),
      slot(0.75, "birthday-candles-24", "sparkler-candles"),
      slot(0.4, "chocolate-party-cake", "vanilla-sprinkle-cake", "cupcake-set-12"),
      slot(0.5, "paper-plates-confetti"),
      slot(0.45, "paper-cups-stripes"),
      slot(0.45, "party-napkins"),
      slot(0.4, "happy-birthday-banner", "foil-curtain-gold"),
      slot(0.2, "cake-topper-happy-birthday"),
      slot(0.15, "birthday-tablecloth"),
    ],
  },
  {
    name: "unicorn party",
    theme: "kids",
    slots: [
      slot(0.8, "unicorn-cake"),
      slot(0.6, "cake-topper-unicorn"),
      slot(0.5, "pinata-unicorn"),
      slot(0.5, "pastel-balloon-garland"),
      slot(0.3, "edible-glitter"),
      slot(0.3, "gift-bags-kraft"),
    ],
  },
  {
    name: "kids' party",
    theme: "kids",
    slots: [
      slot(0.6, "pinata-star", "pinata-unicorn"),
      slot(0.6, "pinata-candy-mix"),
      slot(0.4, "pinata-stick-blindfold"),
      slot(0.6, "gift-bags-kraft"),
      slot(0.5, "bubble-wands", "temporary-tattoos"),
      slot(0.3, "balloon-animals-kit"),
    ],
  },
  {
    name: "pirate costume",
    theme: "halloween",
    slots: [slot(0.9, "pirate-costume"), slot(0.7, "pirate-hat-eyepatch"), slot(0.5, "face-paint-kit"), slot(0.2, "fake-blood"), slot(0.15, "skeleton-mask")],
  },
  {
    name: "witch costume",
    theme: "halloween",
    slots: [slot(0.9, "witch-costume"), slot(0.75, "witch-hat"), slot(0.5, "face-paint-kit"), slot(0.3, "silver-wig", "rainbow-wig"), slot(0.3, "spider-web-decor")],
  },
  {
    name: "superhero costume",
    theme: "halloween",
    slots: [slot(0.9, "superhero-cape"), slot(0.75, "superhero-mask"), slot(0.4, "face-paint-kit"), slot(0.2, "temporary-tattoos")],
  },
  {
    name: "spooky night",
    theme: "halloween",
    slots: [slot(0.7, "pumpkin-bucket"), slot(0.6, "spider-web-decor"), slot(0.5, "vampire-teeth"), slot(0.4, "skeleton-mask", "masquerade-mask"), slot(0.4, "fake-blood"), slot(0.2, "rainbow-wig")],
  },
  {
    name: "cake order",
    theme: "cake",
    slots: [
      slot(0.95, "chocolate-party-cake", "vanilla-sprinkle-cake", "cupcake-set-12"),
      slot(0.5, "cake-topper-happy-birthday"),
      slot(0.6, "birthday-candles-24", "sparkler-candles"),
      slot(0.2, "cake-stand-gold"),
      slot(0.2, "cake-knife-set"),
      slot(0.15, "cake-boxes"),
      slot(0.2, "edible-glitter"),
    ],
  },
  {
    name: "new year's eve",
    theme: "celebration",
    slots: [
      slot(0.8, "confetti-poppers-6"),
      slot(0.4, "gold-confetti-cannon"),
      slot(0.6, "party-hats-8", "new-year-tiara"),
      slot(0.5, "party-horns"),
      slot(0.5, "champagne-flutes-plastic"),
      slot(0.3, "photo-booth-props"),
      slot(0.2, "disco-ball"),
    ],
  },
  {
    name: "celebration",
    theme: "celebration",
    slots: [slot(0.6, "confetti-poppers-6", "biodegradable-confetti"), slot(0.6, "party-streamers"), slot(0.5, "party-hats-8"), slot(0.3, "photo-booth-props"), slot(0.3, "party-horns")],
  },
  {
    name: "wedding",
    theme: "wedding",
    slots: [
      slot(0.6, "heart-confetti", "table-confetti-gold"),
      slot(0.6, "white-balloons-pearl"),
      slot(0.5, "just-married-banner", "bride-to-be-sash"),
      slot(0.5, "wedding-sparklers"),
      slot(0.3, "champagne-flutes-plastic"),
    ],
  },
];

/** Relative weight of a recipe's theme in a month (0 = January). */
export function seasonalWeight(recipe: BasketRecipe, month: number): number {
  switch (recipe.theme) {
    case "halloween":
      return month === 9 ? 3 : month === 8 ? 1 : 0.15;
    case "celebration":
      return recipe.name === "new year's eve" ? (month === 11 ? 5 : month === 0 ? 1.5 : 0.3) : 1;
    case "wedding":
      return month >= 4 && month <= 7 ? 2 : 0.5;
    case "birthday":
      return 4;
    case "kids":
      return 1.2;
    default:
      return 2;
  }
}
