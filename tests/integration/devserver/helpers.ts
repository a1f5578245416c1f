/** Shared helpers for the devserver contract tests: plain fetch with the headers the client sends. */
import { DevServer, DevServerOptions, startDevServer } from "../../../devserver/server";

export const API = "/api/data/v9.2/";

export const STANDARD_HEADERS: Record<string, string> = {
  Accept: "application/json",
  "OData-MaxVersion": "4.0",
  "OData-Version": "4.0",
  Prefer: 'odata.include-annotations="*"',
  "If-None-Match": "null",
};

/** encodeURIComponent, keeping OData punctuation readable as the core client does. */
export function enc(value: string): string {
  return encodeURIComponent(value).replace(/%(24|2C|28|29|3D|3B|3A|40|2F)/gi, (m) => decodeURIComponent(m));
}

export function query(params: Record<string, string>): string {
  return (
    "?" +
    Object.entries(params)
      .map(([k, v]) => `${k}=${enc(v)}`)
      .join("&")
  );
}

export async function start(options: DevServerOptions = {}): Promise<DevServer> {
  return startDevServer({ publishDurationMs: 0, importDurationMs: 0, ...options });
}

export interface Got<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function call<T = Record<string, unknown>>(server: DevServer, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Got<T>> {
  const url = /^https?:/.test(path) ? path : server.url + API + path;
  const init: RequestInit = { method, headers: { ...STANDARD_HEADERS, ...(body !== undefined ? { "Content-Type": "application/json" } : {}), ...headers } };
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  const res = await fetch(url, init);
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

export const get = <T = Record<string, unknown>>(server: DevServer, path: string, headers?: Record<string, string>) => call<T>(server, "GET", path, undefined, headers);

export type Collection = { value: Array<Record<string, unknown>>; "@odata.nextLink"?: string; "@odata.count"?: number; "@odata.context": string };
