// Meta group checks: pure functions of (snapshot, previous observation, thresholds) -> findings.
// The meta group is one group: each check is a small function of the snapshot, the thresholds and
// the run, in the file of its family under lib/checks/meta/ (membership, leader, peers), called in
// the order of the list below. Adding a check: its catalog entry (lib/checks/catalog.ts), one
// function in its family's file placed in this list, its test, and `npm run docs`.
import type { MetaThresholds } from "../config/config.ts";
import type { Finding } from "../findings/finding.ts";
import type { MetaSnapshot } from "../snapshot/meta.ts";
import { finding } from "./catalog.ts";
import { leaderFlapping, leaderKnown, leaderSplit } from "./meta/leader.ts";
import { clusterShrunk, silentServers } from "./meta/membership.ts";
import type { MetaObservation } from "./meta/observation.ts";
import { peerLag, peerOffline, peerSeen, quorumOnline } from "./meta/peers.ts";
import { metaRun, type MetaCheck } from "./meta/run.ts";

export { currentLeader, flapScheduleProblem, flapWindow, insideWindow, leaderChangeSince } from "./meta/leader.ts";
export { memberNames, observeMeta, type LeaderChange, type MetaObservation } from "./meta/observation.ts";
export type { MetaCheck, MetaRun } from "./meta/run.ts";

/** Every meta check, in the order its findings are listed. */
export const META_CHECKS: readonly MetaCheck[] = [
  silentServers,
  leaderSplit,
  leaderKnown,
  quorumOnline,
  peerOffline,
  peerSeen,
  peerLag,
  leaderFlapping,
  clusterShrunk,
];

export function evaluateMeta(snap: MetaSnapshot, prev: MetaObservation | undefined, t: MetaThresholds): Finding[] {
  if (snap.blind)
    return [
      finding("monitor_blind", snap.cluster ? { cluster: snap.cluster } : {}, `monitor is blind: ${snap.blind}`, {
        reason: snap.blind,
      }),
    ];
  if (snap.standalone) return [];
  const run = metaRun(snap, prev);
  for (const check of META_CHECKS) check(snap, t, run);
  return run.out;
}
