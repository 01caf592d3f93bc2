// What the meta checks of one run share. The meta group is one group, so a check's "view" is the
// whole snapshot; what several checks need (the leader, who should have answered) is worked out
// once per run here. Nothing outlives the run.
import type { MetaThresholds } from "../../config/config.ts";
import type { Finding, Subject } from "../../findings/finding.ts";
import type { MetaSnapshot } from "../../snapshot/meta.ts";
import type { MetaObservation } from "./observation.ts";
import { currentLeader } from "./leader.ts";

export interface MetaRun {
  readonly previous: MetaObservation | undefined;
  /** This run's findings, in the order the checks produce them. */
  readonly out: Finding[];
  /** The leader as the answering servers see it (undefined: none known). */
  readonly leader: string | undefined;
  /** Members that should have answered: the leader's view of the group, else what earlier runs knew. */
  readonly members: ReadonlySet<string>;
  /** How many servers should have answered. */
  readonly expected: number;
  /** The finding subject: the cluster, plus what is given. */
  at(extra?: Partial<Subject>): Subject;
}

/** One check: the snapshot, the meta thresholds, the run. */
export type MetaCheck = (snap: MetaSnapshot, thresholds: MetaThresholds, run: MetaRun) => void;

export function metaRun(snap: MetaSnapshot, previous: MetaObservation | undefined): MetaRun {
  const members = new Set<string>(previous?.knownServers ?? []);
  if (snap.leaderView) {
    members.clear();
    members.add(snap.leaderView.leader);
    for (const p of snap.leaderView.peers) members.add(p.name);
  }
  // The leader's view is the membership: after a peer-remove, stale sizes (the previous run's, a
  // follower's) would count the removed server as silent.
  const expected = snap.leaderView
    ? Math.max(members.size, snap.leaderView.clusterSize)
    : Math.max(snap.expectedServers ?? 0, members.size);
  const cluster = snap.cluster;
  return {
    previous,
    out: [],
    leader: currentLeader(snap),
    members,
    expected,
    at: (extra = {}) => ({ ...(cluster ? { cluster } : {}), ...extra }),
  };
}
