// What DynamoDB bills for a write, computed from the item itself with the published formula
// (item size = attribute names + values; a standard write costs 1 unit per started KB). Used
// where the server does not report consumed capacity faithfully: moto 5.x reports 1 unit per item
// whatever its size, and nothing at all for transactions.

export type ItemValue = string | number | boolean | null | Uint8Array;

const utf8 = (s: string): number => Buffer.byteLength(s, "utf8");

/** DynamoDB's size of a number: about one byte per two significant digits, plus one. */
function numberSize(n: number): number {
  const digits = Math.abs(n).toExponential().split("e")[0]!.replace(".", "").replace(/0+$/, "") || "0";
  return Math.ceil(digits.length / 2) + 1;
}

function valueSize(v: ItemValue): number {
  if (v === null || typeof v === "boolean") return 1;
  if (typeof v === "string") return utf8(v);
  if (typeof v === "number") return numberSize(v);
  return v.byteLength;
}

/** Size of an item as DynamoDB counts it against the 400 KB limit and for capacity. */
export function itemSize(item: Readonly<Record<string, ItemValue>>): number {
  let size = 0;
  for (const [name, v] of Object.entries(item)) size += utf8(name) + valueSize(v);
  return size;
}

/** Write capacity units of a standard (non-transactional) write of an item of `bytes`. */
export const writeUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));

/** Read capacity units of a strongly consistent read of `bytes`. */
export const consistentReadUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / 4096));
