/**
 * The component tests' own reads and writes to the stand-in, always as the admin (whoever the control
 * runs as). A request whose pooled keep-alive connection the server had already closed fails with
 * ECONNRESET before any answer (Node's fetch does not resend a PATCH or POST): it is sent once more,
 * on a new connection. Any answer, an error status included, is the test's. The stand-in now keeps idle
 * connections for 2 minutes (devserver/server.ts, KEEP_ALIVE_MS), which removes the cause CI met; this
 * stays for a connection lost any other way.
 */
import { USER } from "../../devserver/fixtures/ids";

const resetBeforeAnswer = (e: unknown) => (e as { cause?: { code?: string } })?.cause?.code === "ECONNRESET";

export function adminApi(serverUrl: () => string) {
  return async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
    const headers = { Accept: "application/json", "Content-Type": "application/json", "x-devserver-user": USER.admin, ...init.headers };
    const send = () => fetch(`${serverUrl()}/api/data/v9.2/${path}`, { ...init, headers });
    const r = await send().catch((e: unknown) => (resetBeforeAnswer(e) ? send() : Promise.reject(e)));
    if (!r.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${r.status} ${await r.text()}`);
    return (r.status === 204 ? undefined : r.json()) as T;
  };
}
