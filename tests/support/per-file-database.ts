// placeholder replaced by the per-file database (foundation work in progress)
export {};
