// What the meta slice remembers between runs, and how a run leaves it for the next.
import type { MetaThresholds } from "../../config/config.ts";
import type { MetaSnapshot } from "../../snapshot/meta.ts";
import { currentLeader, flapWindow } from "./leader.ts";

/** What the meta slice remembers between runs (kept small: it is rewritten every run). */
export interface MetaObservation {
  at: number;
  leader?: string;
  term?: number;
  clusterSize?: number;
  /**
   * The meta group's distinct members (the leader and the peers it lists) when a leader last
   * answered: META_009 compares their number, never the `cluster_size` figure, which blips.
   */
  members?: string[];
  /** Every server name ever seen in the group (answering or in the leader's peer list). */
  knownServers: string[];
  /** Leader changes counted at each run inside the flap window. */
  changes: LeaderChange[];
}

export interface LeaderChange {
  /** The run that saw the change. */
  at: number;
  /**
   * The previous run: the change happened after it. A change is inside the flap window only when
   * this is (documents written before this field existed count from `at`).
   */
  since?: number;
  count: number;
  method: "raft-term" | "leader-name";
  from?: string;
  to?: string;
}

/** The group's distinct members as its leader reports them (itself and the peers it lists). */
export const memberNames = (v: NonNullable<MetaSnapshot["leaderView"]>): string[] =>
  [...new Set([v.leader, ...v.peers.map((p) => p.name)])].sort();

/** The observation this run leaves for the next one. */
export function observeMeta(snap: MetaSnapshot, prev: MetaObservation | undefined, t: MetaThresholds): MetaObservation {
  if (snap.blind) return prev ? { ...prev } : { at: snap.collectedAt, knownServers: [], changes: [] };
  // The leader's view replaces what earlier runs knew (a removed peer is forgotten); without it,
  // every server ever seen is still expected to answer.
  const known = new Set(snap.leaderView ? [] : (prev?.knownServers ?? []));
  for (const s of snap.servers) known.add(s.name);
  if (snap.leaderView) {
    known.add(snap.leaderView.leader);
    for (const p of snap.leaderView.peers) known.add(p.name);
  }
  const { counted: changes } = flapWindow(prev, snap, t);
  const o: MetaObservation = { at: snap.collectedAt, knownServers: [...known].sort(), changes };
  if (snap.leaderView) o.members = memberNames(snap.leaderView);
  else if (prev?.members) o.members = prev.members;
  const leader = currentLeader(snap);
  if (leader) o.leader = leader;
  else if (prev?.leader) o.leader = prev.leader; // a leaderless moment is not a change of leader
  if (snap.raft) o.term = snap.raft.term;
  else if (prev?.term !== undefined && !snap.servers.length) o.term = prev.term;
  const size = snap.leaderView?.clusterSize ?? snap.expectedServers;
  if (size) o.clusterSize = size;
  else if (prev?.clusterSize) o.clusterSize = prev.clusterSize;
  return o;
}
