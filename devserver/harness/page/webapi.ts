/**
 * The host's own calls to the Web API (the form's load and save, the lookup dialog, context.webAPI).
 * Independent of core/dataverse's client (the platform is not the control), but OData literals go
 * through the project's one escaping function.
 */
import { literal } from "../../../core/dataverse/odata";

export const API = "/api/data/v9.2/";

export class HostApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
  ) {
    super(message);
  }
}

const HEADERS = {
  Accept: "application/json",
  "OData-MaxVersion": "4.0",
  "OData-Version": "4.0",
  Prefer: 'odata.include-annotations="*"',
};

export async function api<T = unknown>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(API + path, {
    ...init,
    credentials: "same-origin",
    headers: { ...HEADERS, ...(init.body ? { "Content-Type": "application/json; charset=utf-8" } : {}), ...(init.headers as Record<string, string>) },
  });
  const text = await response.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new HostApiError(response.status, error?.code ?? "", error?.message ?? `HTTP ${response.status}`);
  }
  return body as T;
}

const entitySets = new Map<string, Promise<string>>();

/** The entity set name of a table, from the metadata (as the platform knows it). */
export function entitySetOf(logicalName: string): Promise<string> {
  let set = entitySets.get(logicalName);
  if (!set) {
    set = api<{ EntitySetName: string }>(`EntityDefinitions(LogicalName=${literal(logicalName)})?$select=EntitySetName`).then((d) => d.EntitySetName);
    entitySets.set(logicalName, set);
  }
  return set;
}
