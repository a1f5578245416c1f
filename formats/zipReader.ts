/**
 * Reads a zip's central directory in stored order. fflate's unzip gives the contents but not the
 * order, the compression method or the directory entries, which the format rules are about.
 */
import { unzipSync } from "fflate";

export interface ZipEntryInfo {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  isDirectory: boolean;
}

export interface ZipContents {
  entries: ZipEntryInfo[];
  data: Record<string, Uint8Array>;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;

/** Throws with a plain message when the bytes are not a readable zip. */
export function readZip(bytes: Uint8Array): ZipContents {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEndOfCentralDirectory(buf);
  const count = buf.readUInt16LE(eocd + 10);
  let offset = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntryInfo[] = [];
  for (let i = 0; i < count; i++) {
    if (offset + 46 > buf.length || buf.readUInt32LE(offset) !== CENTRAL_SIGNATURE) throw new Error("the central directory is damaged");
    const method = buf.readUInt16LE(offset + 10);
    const nameLength = buf.readUInt16LE(offset + 28);
    const extraLength = buf.readUInt16LE(offset + 30);
    const commentLength = buf.readUInt16LE(offset + 32);
    const name = buf.toString("utf8", offset + 46, offset + 46 + nameLength);
    entries.push({ name, method, isDirectory: name.endsWith("/") });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  let data: Record<string, Uint8Array>;
  try {
    data = unzipSync(bytes);
  } catch (e) {
    throw new Error(`the entries cannot be extracted (${(e as Error).message})`);
  }
  return { entries, data };
}

function findEndOfCentralDirectory(buf: Buffer): number {
  // The record is 22 bytes plus a comment of up to 65535 bytes, at the very end.
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD_SIGNATURE) return i;
  }
  throw new Error("not a zip file (no end of central directory record)");
}
