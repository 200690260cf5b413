/** A CSS hex colour as merchants give their accent colour: #rrggbb. */
export const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;
