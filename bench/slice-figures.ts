// What a slice's timed runs add up to: medians of wall and CPU time, NATS requests and bytes, and
// per run what the history saves wrote to DynamoDB (items, bytes, units).
import type { RunReport } from "../lib/run/run-slice.ts";
import type { TimedRun } from "./slice-run.ts";
import type { WayFigures } from "./way-figures.ts";
import { median } from "./stats.ts";

export interface SliceFigures extends WayFigures {
  findings: number;
  /** Per run: every history save's items, bytes and write units summed. */
  historyItemsWritten: number;
  historyBytesWritten: number;
  historyRawBytes: number;
  writeUnits: number;
  writeUnitsSource: string;
  /** Units of the consistent reads that load what the previous run saved (from item sizes). */
  readUnits: number;
}

/** Strongly consistent reads: 1 unit per started 4 KB; a multi-item Query rounds its total once. */
export function readUnitsFor(items: number, bytes: number): number {
  if (items <= 0) return 0;
  return Math.max(items, Math.ceil(bytes / 4096) + (items > 1 ? 1 : 0));
}

/** Medians of a slice's timed runs, with what each run saved to history. */
export function sliceFigures(runs: TimedRun[]): SliceFigures {
  const pick = (f: (r: RunReport) => number) => median(runs.map((r) => f(r.report)));
  const saves = (r: RunReport) => r.history.saves;
  const written = (r: RunReport) => saves(r).reduce((s, x) => s + x.items, 0);
  const bytes = (r: RunReport) => saves(r).reduce((s, x) => s + x.bytes, 0);
  const lastSave = runs.at(-1)!.report.history.saves.at(-1);
  return {
    wallMs: median(runs.map((r) => r.wallMs)),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    wallRunsMs: runs.map((r) => r.wallMs),
    requests: pick((r) => r.requests.requests),
    bytesReceived: pick((r) => r.requests.bytesReceived),
    bytesDecoded: pick((r) => r.requests.bytesDecoded),
    findings: pick((r) => r.findings.length),
    historyItemsWritten: pick(written),
    historyBytesWritten: pick(bytes),
    historyRawBytes: pick((r) => saves(r).reduce((s, x) => s + (x.rawBytes ?? 0), 0)),
    writeUnits: pick((r) => saves(r).reduce((s, x) => s + (x.computedWriteUnits ?? x.writeUnits ?? 0), 0)),
    writeUnitsSource: "computed from item sizes (moto reports 1 unit per write whatever its size)",
    readUnits: lastSave ? readUnitsFor(lastSave.items, lastSave.bytes) : 0,
  };
}
