/**
 * "Customers also bought": the co-purchase engine's public surface. Plain
 * TypeScript, no database or framework; persistence goes through
 * CoPurchaseModel.exportState / importState / contributionOf.
 */
export { CoPurchaseModel, DEFAULT_OPTIONS, distinctProducts, mergeCartRecommendations } from "./model";
export { ProductCatalog, isRecommendable } from "./catalog";
export { asymmetricCosine, basketFactor, copurchaseScore, decayFactor, epochScale, ndcgAtRank, shrink, DAY_MS } from "./scoring";
export type * from "./types";
