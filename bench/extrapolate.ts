// Figures read off the measured sizes for sizes not measured (the cost model's S, the history
// budget's consumer count), and the DynamoDB layout a history document of a given size takes.
import { DEFAULTS } from "../infra/lookout-props.ts";
import { CHUNK_BYTES } from "../lib/history/dynamodb-store.ts";
import type { SizeFigures } from "./measure-size.ts";
import { linearFit } from "./stats.ts";

const TTL_DAYS = DEFAULTS.historyTtlDays;
/** The S the cost model prices and the memory estimates are read at. */
export const COST_S = 10_000;

export const byS = (sizes: SizeFigures[], f: (s: SizeFigures) => number): Record<string, number> =>
  Object.fromEntries(sizes.map((s) => [String(s.streams), f(s)]));

/** Straight line through measured points, read at x (never below the last point's y). */
export function lineAt(points: readonly { x: number; y: number }[], x: number): number {
  const fit = linearFit(points);
  return Math.max(fit.slope * x + fit.intercept, points.at(-1)!.y);
}

/** Straight line through the measured sizes, read at S (never below the largest measurement). */
export const at = (sizes: SizeFigures[], S: number, f: (s: SizeFigures) => number): number =>
  lineAt(
    sizes.map((s) => ({ x: s.streams, y: f(s) })),
    S,
  );

/** Items, units and stored bytes of a history document of `bytes` compressed (dynamodb-store.ts's layout). */
export function historyAt(bytes: number): {
  items: number;
  writeUnits: number;
  readUnits: number;
  storedBytes: number;
} {
  const items = Math.max(1, Math.ceil(bytes / CHUNK_BYTES));
  const overhead = 250; // keys, version, digest, TTL per item
  const writeUnits = Math.ceil((bytes + items * overhead) / 1024) + items - 1;
  const readUnits = Math.ceil((bytes + items * overhead) / 4096) + (items > 1 ? 1 : 0);
  // Superseded chunks beyond the HEAD live until TTL deletes them: ttlDays of runs.
  const extra = Math.max(0, bytes - CHUNK_BYTES);
  const storedBytes = bytes + extra * TTL_DAYS * 24 * 60;
  return { items, writeUnits, readUnits, storedBytes };
}
