// The history of a slice: what its previous runs observed and the state of its alerts. One small
// interface, an embedded file implementation and a DynamoDB one, held to one contract test suite.
import type { AlertBook } from "../alerts/alert.ts";
import type { SliceName } from "../core/slice-name.ts";

export interface HistoryKey {
  cluster: string;
  slice: SliceName;
}

export interface SliceHistory<O = unknown> {
  /** The slice's compact observation document from the last run. */
  observations: O | undefined;
  book: AlertBook;
  /** The run that saved this document. */
  runId: string;
  savedAt: number;
}

export interface Loaded<O = unknown> {
  /** Monotonic version: saves are conditional on it. */
  version: number;
  doc: SliceHistory<O>;
}

/** What a save cost: the scale budget holds items written constant in the number of streams. */
export interface SaveReport {
  version: number;
  /** Bytes written (after compression, where the store compresses). */
  bytes: number;
  /** Items (DynamoDB) or files written. */
  items: number;
  /** Write capacity units of this save (DynamoDB); see `writeUnitsSource`. */
  writeUnits?: number;
  /**
   * `reported`: what the server returned (ReturnConsumedCapacity) for every write of the save;
   * `computed`: from item sizes with DynamoDB's published formula, where the server reported nothing.
   */
  writeUnitsSource?: "reported" | "computed";
  /** Write units computed from item sizes, always (moto reports 1 a write whatever its size). */
  computedWriteUnits?: number;
  /** Bytes of the JSON document before compression. */
  rawBytes?: number;
}

export interface HistoryStore {
  readonly kind: string;
  /** Where it keeps history (a folder, a table), for `--verbose` and start-up lines. */
  readonly location: string;
  load<O>(key: HistoryKey): Promise<Loaded<O> | undefined>;
  /**
   * Saves `doc` as the next version if the stored version still equals `expectedVersion`
   * (undefined: nothing stored yet). Throws HistoryConflictError otherwise.
   */
  save<O>(key: HistoryKey, doc: SliceHistory<O>, expectedVersion: number | undefined): Promise<SaveReport>;
  close?(): Promise<void>;
}

export const keyString = (k: HistoryKey): string => `${k.cluster}/${k.slice}`;
