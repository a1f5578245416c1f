/** A scripted fetch for unit tests: records every call and answers from a queue or a handler. */
import type { FetchLike } from "../../core/dataverse/client";

export interface RecordedCall {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

export type Responder = (call: RecordedCall) => Response | Promise<Response> | "drop";

export function json(status: number, body?: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; odata.metadata=minimal", ...headers },
  });
}

export function dataverseError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return json(status, { error: { code, message } }, headers);
}

export function fakeFetch(responder: Responder | Array<Response | "drop">) {
  const calls: RecordedCall[] = [];
  const queue = Array.isArray(responder) ? [...responder] : undefined;
  const fetch: FetchLike = async (url, init) => {
    const call: RecordedCall = {
      url,
      method: String(init.method ?? "GET"),
      headers: Object.fromEntries(Object.entries((init.headers as Record<string, string>) ?? {})),
      body: typeof init.body === "string" ? init.body : undefined,
    };
    calls.push(call);
    const answer = queue ? queue.shift() : await (responder as Responder)(call);
    if (!answer) throw new Error(`fakeFetch: no scripted answer for ${call.method} ${url}`);
    if (answer === "drop") throw new TypeError("fetch failed");
    return answer;
  };
  return { fetch, calls };
}

/**
 * Answers a `$batch` request part by part: `answer(path)` gives each GET's status and body.
 * Other requests go to `other`.
 */
export function batchResponder(answer: (path: string) => [number, unknown], other?: Responder): Responder {
  return (call) => {
    if (!call.url.endsWith("/$batch")) {
      if (!other) throw new Error(`unexpected ${call.method} ${call.url}`);
      return other(call);
    }
    const paths = [...(call.body ?? "").matchAll(/^GET (\S+) HTTP\/1\.1$/gm)].map((m) => m[1].replace(/^.*\/api\/data\/v9\.2\//, ""));
    const parts = paths.map((p) => {
      const [status, body] = answer(p);
      return [
        "--batchresponse_t",
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        "",
        `HTTP/1.1 ${status} X`,
        "Content-Type: application/json",
        "",
        body === undefined ? "" : JSON.stringify(body),
      ].join("\r\n");
    });
    return new Response(parts.join("\r\n") + "\r\n--batchresponse_t--\r\n", {
      status: 200,
      headers: { "Content-Type": "multipart/mixed; boundary=batchresponse_t" },
    });
  };
}
