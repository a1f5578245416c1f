/**
 * What core/ may use of its host, declared for tsconfig.core.json, which compiles core/ without
 * the DOM library and without Node's types: only the web APIs that browsers and Node (20 and
 * later) both have, with the members core uses. Anything else is a compile error in core/.
 * (The other tsconfigs take these from lib.dom.d.ts; this file is not part of them.)
 */

interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
  throwIfAborted(): void;
}
declare const AbortSignal: { prototype: AbortSignal };

interface AbortController {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
}
declare const AbortController: { prototype: AbortController; new (): AbortController };

interface Headers {
  get(name: string): string | null;
}

interface RequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  credentials?: "omit" | "same-origin" | "include";
}

interface Response {
  readonly ok: boolean;
  readonly status: number;
  readonly headers: Headers;
  text(): Promise<string>;
  clone(): Response;
}

declare function fetch(url: string, init?: RequestInit): Promise<Response>;

/** Opaque in both hosts (a number in browsers, an object in Node). */
type TimerHandle = { readonly __timer: unique symbol } | number;
declare function setTimeout(callback: () => void, ms?: number): TimerHandle;
declare function clearTimeout(handle: TimerHandle | undefined): void;
