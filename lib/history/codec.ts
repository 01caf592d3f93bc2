// How a history document travels to a store that limits item size (DynamoDB: 400 KB an item):
// JSON, gzip-compressed (history is repetitive JSON: finding texts, stream names, so it shrinks
// many times), cut into chunks of at most `chunkBytes`, with a digest to prove reassembly.
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { HistoryError } from "../errors.ts";

/** Written beside the data so a later format can be told apart from this one. */
export const CODEC = "json+gzip/1";

export interface Encoded {
  codec: typeof CODEC;
  /** The compressed document cut into chunks, in order. */
  chunks: Uint8Array[];
  /** Bytes after compression (the sum of the chunks). */
  bytes: number;
  /** Bytes of JSON before compression. */
  rawBytes: number;
  /** sha256 of the compressed document, hex. */
  digest: string;
}

const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

export function encodeDocument(doc: unknown, chunkBytes: number): Encoded {
  if (!Number.isInteger(chunkBytes) || chunkBytes <= 0)
    throw new RangeError(`chunkBytes must be a positive integer, got ${chunkBytes}`);
  const json = Buffer.from(JSON.stringify(doc), "utf8");
  const gz = gzipSync(json);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < gz.length; at += chunkBytes) chunks.push(gz.subarray(at, Math.min(at + chunkBytes, gz.length)));
  return { codec: CODEC, chunks, bytes: gz.length, rawBytes: json.length, digest: sha256(gz) };
}

/** Reassembles chunks; throws HistoryError when they do not make up the document that was written. */
export function decodeDocument<T>(
  codec: string,
  chunks: readonly Uint8Array[],
  digest: string | undefined,
  where: string,
): T {
  if (codec !== CODEC)
    throw new HistoryError(`${where}: unknown history encoding "${codec}" (this version reads ${CODEC})`);
  const gz = Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
  if (digest !== undefined && sha256(gz) !== digest)
    throw new HistoryError(
      `${where}: history chunks do not match their digest (${chunks.length} chunk(s), ${gz.length} bytes)`,
    );
  try {
    return JSON.parse(gunzipSync(gz).toString("utf8")) as T;
  } catch (e) {
    throw new HistoryError(`${where}: history document cannot be decoded: ${(e as Error).message}`, { cause: e });
  }
}
