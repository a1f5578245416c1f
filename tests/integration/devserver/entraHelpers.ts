/** Helpers for the Entra ID tests: form posts to the token endpoints and Graph calls. */
import { ORG } from "../../../devserver/fixtures/ids";
import type { DevServer } from "../../../devserver/server";

export const GRAPH_SCOPE = "https://graph.microsoft.com/Application.ReadWrite.All openid profile offline_access";
export const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = {};
  }
  return { status: res.status, headers: res.headers, body, text };
}

export async function form(server: DevServer, endpoint: "token" | "devicecode", fields: Record<string, string>, tenant = ORG.tenantId): Promise<Answer> {
  const res = await fetch(`${server.url}/${tenant}/oauth2/v2.0/${endpoint}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
  return answer(res);
}

export async function graph(server: DevServer, method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(server.graphUrl + path, {
    method,
    headers: { Accept: "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "Content-Type": "application/json" } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return answer(res);
}

export async function dataverse(server: DevServer, method: string, path: string, token?: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${server.url}/api/data/v9.2/${path}`, {
    method,
    headers: { Accept: "application/json", "OData-Version": "4.0", ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return answer(res);
}

/** Signs `userId` in with the device code flow (approved through the test hook) and returns the token answer. */
export async function signIn(server: DevServer, userId: string, clientId: string, scope = GRAPH_SCOPE): Promise<Answer> {
  const started = await form(server, "devicecode", { client_id: clientId, scope });
  if (started.status !== 200) throw new Error(`devicecode: ${started.text}`);
  server.entra.approve(String(started.body.user_code), userId);
  return form(server, "token", { grant_type: DEVICE_GRANT, client_id: clientId, device_code: String(started.body.device_code) });
}

export async function clientCredentials(server: DevServer, clientId: string, secret: string, scope = `${server.url}/.default`): Promise<Answer> {
  return form(server, "token", { grant_type: "client_credentials", client_id: clientId, client_secret: secret, scope });
}

export const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8")) as Record<string, unknown>;
