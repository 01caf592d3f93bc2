// A slice is one part of cluster state with its checks: how to collect it, how to judge it, what
// to remember for the next run, and which alerts a run of it can clear.
import type { NatsConnection } from "@nats-io/transport-node";
import type { AlertState } from "../alerts/alert.ts";
import type { SliceName } from "../core/slice-name.ts";
import type { LookoutConfig } from "../config/config.ts";
import type { Finding } from "../findings/finding.ts";
import type { RequestStats } from "../nats/stats.ts";

export interface SnapshotBase {
  collectedAt: number;
  cluster: string | undefined;
  /** Set when the run could see nothing; the reason, secret-free. */
  blind?: string;
  stats: RequestStats;
}

export interface CollectContext<O> {
  config: LookoutConfig;
  stats: RequestStats;
  now: () => number;
  /** What the previous run observed (e.g. how many servers answered then). */
  previous: O | undefined;
  /** Stop collecting more pages after this moment (epoch ms) and say what was skipped. */
  deadline?: number;
}

/**
 * One number of the cluster's own for plugin output (Nagios perfdata, Prometheus gauges), recorded
 * whether or not a threshold is breached. `critical` is a Nagios range (`2:` = alert below 2).
 */
export interface PerfItem {
  name: string;
  value: number;
  help: string;
  unit?: "s";
  warning?: string;
  critical?: string;
  min?: number;
  max?: number;
}

/** What one run concluded: computed once, in one pure pass over the snapshot. */
export interface Judgement<O> {
  findings: Finding[];
  /** What to remember for the next run. */
  observation: O;
  /** Whether this run looked at what `alert` is about, so its absence means it cleared. */
  covers: (alert: AlertState) => boolean;
}

export interface Slice<S extends SnapshotBase = SnapshotBase, O = unknown> {
  readonly name: SliceName;
  collect(nc: NatsConnection, ctx: CollectContext<O>): Promise<S>;
  /** The snapshot of a run that could not connect at all. */
  blind(reason: string, ctx: CollectContext<O>): S;
  /** Pure: the snapshot, what the previous run remembered and the configuration, judged. */
  judge(snapshot: S, previous: O | undefined, config: LookoutConfig): Judgement<O>;
  /** The cluster's own numbers this run saw (none when blind). */
  perf?(snapshot: S): PerfItem[];
}
