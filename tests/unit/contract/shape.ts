/**
 * Structural comparison of Web API responses with the documentation's examples: property names,
 * annotation names and JSON types (not values) for JSON bodies; delimiter lines, header names,
 * status lines, blank lines and body shapes for `$batch` multipart bodies.
 */

type Kind = "null" | "array" | "object" | "string" | "number" | "boolean" | "undefined";

function kind(value: unknown): Kind {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value as Kind;
}

/**
 * Differences between the example's shape and `actual`'s, one line each ("$.Detail.State: missing").
 * Every item of an array in `actual` is held to the example's first item. `allowExtra` names
 * properties `actual` may have beyond the example (documented elsewhere).
 */
export function shapeDiff(example: unknown, actual: unknown, allowExtra: string[] = [], path = "$"): string[] {
  const expected = kind(example);
  const got = kind(actual);
  if (expected !== got) return [`${path}: ${expected} in the example, ${got} here`];
  if (expected === "array") {
    const [first] = example as unknown[];
    if (first === undefined) return [];
    return (actual as unknown[]).flatMap((item, i) => shapeDiff(first, item, allowExtra, `${path}[${i}]`));
  }
  if (expected !== "object") return [];
  const e = example as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  const out: string[] = [];
  for (const key of Object.keys(e)) {
    if (!(key in a)) out.push(`${path}.${key}: missing`);
    else out.push(...shapeDiff(e[key], a[key], allowExtra, `${path}.${key}`));
  }
  for (const key of Object.keys(a)) if (!(key in e) && !allowExtra.includes(key)) out.push(`${path}.${key}: not in the example`);
  return out;
}

/** What `$metadata#…` names: the same complex type or entity set, whatever the host. */
export function contextFragment(body: unknown): string | undefined {
  const context = (body as Record<string, unknown> | null)?.["@odata.context"];
  return typeof context === "string" ? context.slice(context.indexOf("$metadata#")) : undefined;
}

/**
 * The part of a JSON body that does not depend on which table was queried: annotations, the
 * collection's `value`, and the error object.
 */
export function protocolShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? [protocolShape(value[0])] : [];
  if (value && typeof value === "object") {
    const kept = Object.entries(value as Record<string, unknown>).filter(([k]) => k.startsWith("@") || ["value", "error", "code", "message"].includes(k));
    return Object.fromEntries(kept.map(([k, v]) => [k, protocolShape(v)]).sort(([a], [b]) => String(a).localeCompare(String(b))));
  }
  return kind(value);
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** A boundary or content type with its unique part generalised: `batchresponse_<guid>`. */
const generic = (text: string) => text.replace(GUID, "<guid>").replace(/boundary="?([^";]+?)"?(?=;|$)/i, "boundary=$1");

/** Header values kept in the skeleton; the others (Location, REQ_ID…) only by name. */
const VALUES_KEPT = new Set(["content-type", "content-transfer-encoding", "odata-version"]);

function headerBlock(lines: string[]): { text: string; contentType?: string } {
  const headers = lines.map((line) => {
    const i = line.indexOf(":");
    return [line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim()] as const;
  });
  headers.sort(([a], [b]) => a.localeCompare(b));
  const text = headers.map(([name, value]) => (VALUES_KEPT.has(name) ? `${name}=${generic(value)}` : name)).join(" | ");
  return { text, contentType: headers.find(([name]) => name === "content-type")?.[1] };
}

function boundaryOf(contentType: string | undefined): string | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? "");
  return m ? (m[1] ?? m[2]) : undefined;
}

/**
 * A `multipart/mixed` body as a list of structural tokens: delimiters (by nesting depth, with the
 * boundary generalised), MIME and HTTP header blocks (sorted names, a few values), status lines,
 * blank lines, and each body as `protocolShape` of its JSON (or "empty"). Lines are split on CRLF
 * only, so a body written with bare LFs between its parts does not match.
 */
export function multipartSkeleton(contentType: string, body: string, bodyShape: (json: unknown) => unknown = protocolShape): string[] {
  const tokens: string[] = [`content-type=${generic(contentType)}`];
  const outer = boundaryOf(contentType);
  if (!outer) return [...tokens, "no boundary"];
  const stack = [outer];
  type State = "outside" | "mime" | "status" | "headers" | "body";
  let state: State = "outside";
  let block: string[] = [];
  const flushBody = () => {
    if (state !== "body") return;
    const text = block.join("\n");
    let shape: string;
    if (!text.trim()) shape = `empty (${block.length} line${block.length === 1 ? "" : "s"})`;
    else {
      try {
        shape = JSON.stringify(bodyShape(JSON.parse(text)));
      } catch {
        shape = `not JSON: ${text.slice(0, 40)}`;
      }
    }
    tokens.push(`${"  ".repeat(stack.length - 1)}body ${shape}`);
    block = [];
  };
  for (const line of body.split("\r\n")) {
    const top = stack[stack.length - 1];
    if (top && (line === `--${top}` || line === `--${top}--`)) {
      flushBody();
      const closing = line.endsWith("--");
      tokens.push(`${"  ".repeat(stack.length - 1)}${closing ? "close" : "delimiter"} ${generic(top)}`);
      if (closing) {
        stack.pop();
        state = "outside";
      } else state = "mime";
      continue;
    }
    const indent = "  ".repeat(Math.max(0, stack.length - 1));
    switch (state) {
      case "outside":
        tokens.push(line === "" ? `${indent}blank` : `${indent}stray ${line.slice(0, 60)}`);
        break;
      case "mime":
        if (line !== "") {
          block.push(line);
          break;
        }
        {
          const { text, contentType: partType } = headerBlock(block);
          tokens.push(`${indent}mime ${text}`);
          block = [];
          const nested = /multipart\/mixed/i.test(partType ?? "") ? boundaryOf(partType) : undefined;
          if (nested) {
            stack.push(nested);
            state = "outside";
          } else state = "status";
        }
        break;
      case "status":
        tokens.push(`${indent}${line}`);
        state = "headers";
        break;
      case "headers":
        if (line !== "") {
          block.push(line);
          break;
        }
        tokens.push(`${indent}headers ${headerBlock(block).text}`);
        block = [];
        state = "body";
        break;
      case "body":
        block.push(line);
        break;
    }
  }
  flushBody();
  return tokens;
}
