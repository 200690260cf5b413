/**
 * Pair weights as one small open-addressing hash table per product (neighbour
 * index → weight), stored in both directions so a product's partners are one
 * row scan: top-K for a product costs O(its degree), and an incremental order
 * touches only its own products' rows. Keys are Int32 (neighbour index + 1,
 * 0 = empty slot), weights Float64: 12 bytes a slot, at most 70% full.
 */
const EMPTY = 0;
const MIN_BITS = 2;
const MAX_LOAD = 0.7;

export class PairRows {
  private keys: Int32Array[] = [];
  private weights: Float64Array[] = [];
  private bits: Uint8Array = new Uint8Array(16);
  private sizes: Int32Array = new Int32Array(16);
  private rowCount = 0;

  /** Rows currently allocated (one per product index seen). */
  get length(): number {
    return this.rowCount;
  }

  ensureRows(count: number): void {
    if (count <= this.rowCount) return;
    if (count > this.sizes.length) {
      let capacity = this.sizes.length;
      while (capacity < count) capacity *= 2;
      const sizes = new Int32Array(capacity);
      sizes.set(this.sizes);
      this.sizes = sizes;
      const bits = new Uint8Array(capacity);
      bits.set(this.bits);
      this.bits = bits;
    }
    for (let row = this.rowCount; row < count; row++) {
      this.keys.push(new Int32Array(1 << MIN_BITS));
      this.weights.push(new Float64Array(1 << MIN_BITS));
      this.bits[row] = MIN_BITS;
    }
    this.rowCount = count;
  }

  /** Adds `delta` to the weight of (row → neighbour). One direction only. */
  add(row: number, neighbour: number, delta: number): void {
    let keys = this.keys[row];
    const key = neighbour + 1;
    let bits = this.bits[row];
    let mask = (1 << bits) - 1;
    let slot = Math.imul(key, 0x9e3779b1) >>> (32 - bits);
    for (;;) {
      const found = keys[slot];
      if (found === key) {
        this.weights[row][slot] += delta;
        return;
      }
      if (found === EMPTY) break;
      slot = (slot + 1) & mask;
    }
    if ((this.sizes[row] + 1) > MAX_LOAD * (mask + 1)) {
      this.grow(row);
      keys = this.keys[row];
      bits = this.bits[row];
      mask = (1 << bits) - 1;
      slot = Math.imul(key, 0x9e3779b1) >>> (32 - bits);
      while (keys[slot] !== EMPTY) slot = (slot + 1) & mask;
    }
    keys[slot] = key;
    this.weights[row][slot] = delta;
    this.sizes[row]++;
  }

  get(row: number, neighbour: number): number {
    if (row >= this.rowCount) return 0;
    const keys = this.keys[row];
    const key = neighbour + 1;
    const bits = this.bits[row];
    const mask = (1 << bits) - 1;
    let slot = Math.imul(key, 0x9e3779b1) >>> (32 - bits);
    for (;;) {
      const found = keys[slot];
      if (found === key) return this.weights[row][slot];
      if (found === EMPTY) return 0;
      slot = (slot + 1) & mask;
    }
  }

  /** Entries of a row (including any that fell to 0 after removals). */
  degree(row: number): number {
    return row < this.rowCount ? this.sizes[row] : 0;
  }

  /**
   * The raw slots of a row, for tight loops: key 0 is an empty slot, otherwise
   * the neighbour index is key - 1. Do not hold on to them across writes.
   */
  slots(row: number): { keys: Int32Array; weights: Float64Array } {
    return { keys: this.keys[row], weights: this.weights[row] };
  }

  /** Rebuilds a row keeping only entries for which keep(neighbour, weight) holds. */
  filterRow(row: number, keep: (neighbour: number, weight: number) => boolean): void {
    const keys = this.keys[row];
    const weights = this.weights[row];
    const kept: Array<[number, number]> = [];
    for (let slot = 0; slot < keys.length; slot++) {
      if (keys[slot] !== EMPTY && keep(keys[slot] - 1, weights[slot])) kept.push([keys[slot] - 1, weights[slot]]);
    }
    let bits = MIN_BITS;
    while (kept.length > MAX_LOAD * (1 << bits)) bits++;
    this.keys[row] = new Int32Array(1 << bits);
    this.weights[row] = new Float64Array(1 << bits);
    this.bits[row] = bits;
    this.sizes[row] = 0;
    for (const [neighbour, weight] of kept) this.add(row, neighbour, weight);
  }

  /** Bytes held by the typed arrays. */
  byteLength(): number {
    let bytes = this.sizes.byteLength + this.bits.byteLength;
    for (let row = 0; row < this.rowCount; row++) bytes += this.keys[row].byteLength + this.weights[row].byteLength;
    return bytes;
  }

  private grow(row: number): void {
    const oldKeys = this.keys[row];
    const oldWeights = this.weights[row];
    const bits = this.bits[row] + 1;
    const mask = (1 << bits) - 1;
    const keys = new Int32Array(1 << bits);
    const weights = new Float64Array(1 << bits);
    for (let i = 0; i < oldKeys.length; i++) {
      const key = oldKeys[i];
      if (key === EMPTY) continue;
      let slot = Math.imul(key, 0x9e3779b1) >>> (32 - bits);
      while (keys[slot] !== EMPTY) slot = (slot + 1) & mask;
      keys[slot] = key;
      weights[slot] = oldWeights[i];
    }
    this.keys[row] = keys;
    this.weights[row] = weights;
    this.bits[row] = bits;
  }
}
