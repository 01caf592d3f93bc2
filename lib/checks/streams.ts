// Stream checks: pure functions of (snapshot, previous observation, configuration) -> findings.
// Each stream is judged from one view (its leader's, or a holder's when leaderless), with the
// thresholds its metadata, the overrides and the defaults give it (lib/thresholds/monitor-keys.ts),
// by the list of checks below; each check lives in the file of its family under lib/checks/streams/.
// Adding a check: its catalog entry (lib/checks/catalog.ts), one function appended to its family's
// list, its test, and `npm run docs`.
import type { StreamThresholdConfig } from "../config/config.ts";
import type { Finding } from "../findings/finding.ts";
import type { StreamsSnapshot } from "../snapshot/streams.ts";
import { streamKey } from "../snapshot/streams.ts";
import { resolveStreamThresholds } from "../thresholds/monitor-keys.ts";
import { finding } from "./catalog.ts";
import { coverKey, subjectOf } from "./stream-subject.ts";
import { COUNT_CHECKS } from "./streams/counts.ts";
import type { MirrorMark } from "./streams/mirror-stall.ts";
import { REPLICA_CHECKS } from "./streams/replicas.ts";
import type { StreamCheck, StreamMemory, StreamRun } from "./streams/run.ts";
import { thresholdInvalid, overridesUnmatched } from "./streams/thresholds.ts";
import { placementsOf, type Placements } from "./streams/unseen.ts";
import { UpstreamIndex } from "./streams/upstream-index.ts";
import { noteUpstreamLeader, type UpstreamLeaders } from "./streams/upstream-unheard.ts";
import { UPSTREAM_CHECKS } from "./streams/upstreams.ts";
import { partial, unavailable, unseen } from "./streams/visibility.ts";

export type { MirrorMark } from "./streams/mirror-stall.ts";
export type { StreamCheck, StreamRun } from "./streams/run.ts";
export { coverKey, subjectCluster } from "./stream-subject.ts";

/** Every per-stream check, in the order its findings are listed. */
export const STREAM_CHECKS: readonly StreamCheck[] = [
  thresholdInvalid,
  ...REPLICA_CHECKS,
  ...UPSTREAM_CHECKS,
  ...COUNT_CHECKS,
];

/**
 * What the streams slice remembers between runs. Saved every run, so it stays small: server names
 * (about the cluster's size), one mark per mirror, and each stream's key once, grouped by the
 * servers holding it (`placements`): the one part that grows with the number of streams.
 */
export interface StreamsObservation {
  at: number;
  /** Servers answering or named as peers: who should answer next time. */
  knownServers: string[];
  /** By mirror stream key: JETSTREAM_015's memory of its source. */
  mirrors: Record<string, MirrorMark>;
  /**
   * By `<stream key>|<peer>`: when a run first saw the leader report a follower it never heard from
   * (`active: 0, current: false`) on a server that does not say when it was elected (before 2.11.9).
   * Only followers in that state are kept, so the document does not grow with the streams.
   */
  unheard?: Record<string, number>;
  /**
   * System mode: each stream's last known placement, stream keys grouped by the servers holding
   * them (sorted, joined by ","), so a stream whose every holder is silent is still named.
   */
  placements?: Placements;
  /**
   * Servers without `leader_since` (before 2.11.9): by stream key, the leader of each stream with a
   * mirror or sources, and since when (upstream-unheard.ts): one entry per such stream.
   */
  upstreamLeaders?: UpstreamLeaders;
}

/** Every finding of one streams run. Pure; also what the benchmark times. */
export function evaluateStreams(
  snap: StreamsSnapshot,
  prev: StreamsObservation | undefined,
  cfg: StreamThresholdConfig,
): Finding[] {
  return judgeOnce(snap, prev, cfg).findings;
}

/** The observation a run leaves for the next (tests; the slice takes it from judgeStreams). */
export function observeStreams(
  snap: StreamsSnapshot,
  prev: StreamsObservation | undefined,
  cfg: StreamThresholdConfig,
): StreamsObservation {
  return judgeStreams(snap, prev, cfg).observation;
}

/** One pass over a run: its findings and the observation it leaves for the next run. */
export function judgeStreams(
  snap: StreamsSnapshot,
  prev: StreamsObservation | undefined,
  cfg: StreamThresholdConfig,
): { findings: Finding[]; observation: StreamsObservation } {
  const judged = judgeOnce(snap, prev, cfg);
  return { findings: judged.findings, observation: observationOf(snap, prev, judged) };
}

function observationOf(snap: StreamsSnapshot, prev: StreamsObservation | undefined, j: Judged): StreamsObservation {
  if (snap.blind) return prev ? { ...prev } : { at: snap.collectedAt, knownServers: [], mirrors: {} };
  const knownServers = [...new Set([...snap.servers.map((s) => s.name), ...snap.silent])].sort();
  const o: StreamsObservation = { at: snap.collectedAt, knownServers, mirrors: j.marks };
  if (Object.keys(j.unheard).length) o.unheard = j.unheard;
  // Built here, not while judging: this run's placements are for the next run only.
  const placements = snap.mode === "system" ? placementsOf(snap, j.carried ?? {}) : prev?.placements;
  if (placements && Object.keys(placements).length) o.placements = placements;
  if (Object.keys(j.upstreams).length) o.upstreamLeaders = j.upstreams;
  return o;
}

type Judged = {
  findings: Finding[];
  marks: Record<string, MirrorMark>;
  unheard: Record<string, number>;
  carried: Placements | undefined;
  upstreams: UpstreamLeaders;
};

function judgeOnce(snap: StreamsSnapshot, prev: StreamsObservation | undefined, cfg: StreamThresholdConfig): Judged {
  const before: StreamMemory = {
    unheard: prev?.unheard ?? {},
    upstreams: prev?.upstreamLeaders ?? {},
    mirrors: prev?.mirrors ?? {},
  };
  if (snap.blind) {
    const blind = finding(
      "monitor_blind",
      snap.cluster ? { cluster: snap.cluster } : {},
      `monitor is blind: ${snap.blind}`,
      { reason: snap.blind },
    );
    return {
      findings: [blind],
      marks: { ...before.mirrors },
      unheard: { ...before.unheard },
      carried: prev?.placements,
      upstreams: { ...before.upstreams },
    };
  }
  let index: UpstreamIndex | undefined;
  const run: StreamRun = {
    snap,
    config: cfg,
    out: [],
    before,
    after: { unheard: {}, upstreams: {}, mirrors: {} },
    // Built on first use: only a mirror needs to find its source among the streams.
    get index() {
      return (index ??= new UpstreamIndex(snap));
    },
  };
  partial(run);
  overridesUnmatched(run);
  for (const v of snap.streams) {
    const r = resolveStreamThresholds(v.account, v.name, v.metadata, cfg);
    if (!r.enabled) continue;
    noteUpstreamLeader(v, snap.collectedAt, before.upstreams, run.after.upstreams);
    for (const check of STREAM_CHECKS) check(v, r, run);
  }
  unavailable(run);
  const carried = unseen(run, prev?.placements);
  // Memory of streams not looked at this run is kept: a silent leader must not reset a mirror's
  // stall mark, a follower's unheard time or an upstream's leader.
  const after = run.after;
  const unjudged = new Set(snap.gaps.map(streamKey));
  for (const [k, m] of Object.entries(before.mirrors))
    if (unjudged.has(k) && !(k in after.mirrors)) after.mirrors[k] = m;
  for (const [k, t] of Object.entries(before.unheard))
    if (unjudged.has(k.slice(0, k.lastIndexOf("|"))) && !(k in after.unheard)) after.unheard[k] = t;
  for (const [k, u] of Object.entries(before.upstreams))
    if (unjudged.has(k) && !(k in after.upstreams)) after.upstreams[k] = u;
  return { findings: run.out, marks: after.mirrors, unheard: after.unheard, carried, upstreams: after.upstreams };
}

/** Streams a run judged (or found unavailable): only their alerts may clear. Keys as subjects name them. */
export function coveredStreams(snap: StreamsSnapshot): Set<string> {
  const out = new Set<string>();
  for (const v of snap.streams) out.add(coverKey(subjectOf(snap, v)));
  for (const g of snap.gaps) if (g.unavailable) out.add(coverKey(subjectOf(snap, g)));
  return out;
}
