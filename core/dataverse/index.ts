export * from "./odata";
export * from "./errors";
export * from "./batch";
export * from "./client";
