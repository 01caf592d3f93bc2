// Pure evaluation throughput of the streams checks (evaluateStreams) over a real snapshot collected
// from the largest cluster, with the observation a previous run of it would have left (so the
// history-dependent checks, such as the mirror stall, run too).
import { evaluateStreams, judgeStreams } from "../lib/checks/streams.ts";
import type { LookoutConfig } from "../lib/config/config.ts";
import type { SnapshotBase } from "../lib/slices/slice.ts";
import type { StreamsSnapshot } from "../lib/snapshot/streams.ts";
import { measureThroughput, type Throughput } from "./throughput.ts";

export function evaluationBench(
  base: SnapshotBase,
  config: LookoutConfig,
  seconds: number,
): Throughput & { snapshot_streams: number } {
  const snap = base as StreamsSnapshot;
  const cfg = config.thresholds.streams;
  const previous = judgeStreams(snap, undefined, cfg).observation;
  const n = snap.streams.length;
  if (!n) throw new Error("the kept snapshot has no streams: nothing to evaluate");
  const t = measureThroughput(() => evaluateStreams(snap, previous, cfg), n, seconds);
  return { ...t, snapshot_streams: n };
}
