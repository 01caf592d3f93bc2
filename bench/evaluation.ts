// Pure evaluation throughput of the streams checks over a real collected snapshot.
// PLACEHOLDER until lib/checks/streams.ts (evaluateStreams) lands: goes through the slice.
import type { LookoutConfig } from "../lib/config/config.ts";
import { SLICES } from "../lib/slices/index.ts";
import type { SnapshotBase } from "../lib/slices/slice.ts";
import { measureThroughput, type Throughput } from "./throughput.ts";

export function evaluationBench(snap: SnapshotBase, config: LookoutConfig, seconds: number): Throughput & { snapshot_streams: number } {
  const slice = SLICES.streams!;
  const n = ((snap as unknown as { streams?: unknown[] }).streams ?? []).length;
  const t = measureThroughput(() => slice.evaluate(snap, undefined, config), Math.max(1, n), seconds);
  return { ...t, snapshot_streams: n };
}
