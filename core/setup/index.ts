export * from "./types";
export * from "./queries";
export * from "./load";
export * from "./evaluate";
export * from "./actions";
export * from "./version";
