// Meta group checks: pure functions of (snapshot, previous observation, thresholds) -> findings.
import { quorumOf } from "../core/raft.ts";
import type { MetaThresholds } from "../config/config.ts";
import type { Finding } from "../findings/finding.ts";
import type { MetaSnapshot } from "../snapshot/meta.ts";
import { formatDuration } from "../thresholds/duration.ts";
import { finding } from "./catalog.ts";

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


/** Leader changes between the previous run and this snapshot: by Raft term when both have one, else by name. */
export function leaderChangeSince(prev: MetaObservation | undefined, snap: MetaSnapshot): LeaderChange | undefined {
  if (!prev) return undefined;
  const leader = currentLeader(snap);
  // A term below the last one means the group was rebuilt (state wiped): the terms say nothing
  // about elections in between, so fall back to comparing names.
  if (prev.term !== undefined && snap.raft && snap.raft.term >= prev.term) {
    const count = snap.raft.term - prev.term;
    if (count === 0) return undefined;
    const c: LeaderChange = { at: snap.collectedAt, since: prev.at, count, method: "raft-term" };
    if (prev.leader) c.from = prev.leader;
    if (leader) c.to = leader;
    return c;
  }
  if (prev.leader && leader && prev.leader !== leader) return { at: snap.collectedAt, since: prev.at, count: 1, method: "leader-name", from: prev.leader, to: leader };
  return undefined;
}

/** When a change certainly happened no earlier than this: its previous run. */
const earliest = (c: LeaderChange): number => c.since ?? c.at;

/** Whether a change certainly fell inside the window ending at `now`. */
export const insideWindow = (c: LeaderChange, now: number, windowMs: number): boolean => earliest(c) >= now - windowMs;

/**
 * Leader changes certainly inside the flap window, and this run's change when it cannot be placed
 * in it (the previous run is older than the window: the monitor was down or runs too rarely).
 */
export function flapWindow(prev: MetaObservation | undefined, snap: MetaSnapshot, t: MetaThresholds): { counted: LeaderChange[]; unplaced?: LeaderChange } {
  const change = leaderChangeSince(prev, snap);
  const now = snap.collectedAt;
  const counted = [...(prev?.changes ?? []), ...(change ? [change] : [])].filter((c) => insideWindow(c, now, t.flapWindowMs));
  return change && !insideWindow(change, now, t.flapWindowMs) ? { counted, unplaced: change } : { counted };
}

/**
 * Why META_003 can never fire with the meta slice run every `everyMs`, if it cannot: counting by
 * leader name sees at most one change per run, and only changes after a run inside the window
 * count, so at most floor(window / interval) changes are ever counted.
 */
export function flapScheduleProblem(everyMs: number, t: MetaThresholds, everyKey = "slices.meta.every"): string | undefined {
  const countable = Math.floor(t.flapWindowMs / everyMs);
  if (countable > t.flapMaxChanges) return undefined;
  const need = Math.floor(t.flapWindowMs / (t.flapMaxChanges + 1));
  const cause = everyMs > t.flapWindowMs
    ? "no leader change can ever be placed inside the window"
    : `counting by leader name (servers before 2.10.17, or without RAFTZ permission) sees at most one change per run, so at most ${countable} in the window, never more than thresholds.meta.flapMaxChanges (${t.flapMaxChanges})`;
  return `${everyKey}: the meta slice runs every ${formatDuration(everyMs)} against thresholds.meta.flapWindow ${formatDuration(t.flapWindowMs)}: ${cause}, so META_003 could never fire; run it at least every ${formatDuration(need)}, widen the window or lower flapMaxChanges`;
}

/** The leader as the answering servers see it: the leader's own claim first, else the most named. */
export function currentLeader(snap: MetaSnapshot): string | undefined {
  if (snap.leaderView) return snap.leaderView.leader;
  const votes = new Map<string, number>();
  for (const s of snap.servers) if (s.metaLeader) votes.set(s.metaLeader, (votes.get(s.metaLeader) ?? 0) + 1);
  return [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** The observation this run leaves for the next one. */
export function observeMeta(snap: MetaSnapshot, prev: MetaObservation | undefined, t: MetaThresholds): MetaObservation {
  if (snap.blind) return prev ? { ...prev } : { at: snap.collectedAt, knownServers: [], changes: [] };
  // The leader's view replaces what earlier runs knew (a removed peer is forgotten); without it,
  // every server ever seen is still expected to answer.
  const known = new Set(snap.leaderView ? [] : prev?.knownServers ?? []);
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

/** The group's distinct members as its leader reports them (itself and the peers it lists). */
export const memberNames = (v: NonNullable<MetaSnapshot["leaderView"]>): string[] => [...new Set([v.leader, ...v.peers.map((p) => p.name)])].sort();

export function evaluateMeta(snap: MetaSnapshot, prev: MetaObservation | undefined, t: MetaThresholds): Finding[] {
  const cluster = snap.cluster;
  const at = (extra: Record<string, string> = {}) => ({ ...(cluster ? { cluster } : {}), ...extra });
  if (snap.blind) return [finding("monitor_blind", at(), `monitor is blind: ${snap.blind}`, { reason: snap.blind })];
  if (snap.standalone) return [];

  const out: Finding[] = [];
  const answered = new Set(snap.servers.map((s) => s.name));

  // Who should have answered: the leader's view of the group, else what earlier runs knew.
  const members = new Set<string>(prev?.knownServers ?? []);
  if (snap.leaderView) {
    members.clear();
    members.add(snap.leaderView.leader);
    for (const p of snap.leaderView.peers) members.add(p.name);
  }
  const silent = [...members].filter((m) => !answered.has(m)).sort();
  // The leader's view is the membership: after a peer-remove, stale sizes (the previous run's, a
  // follower's) would count the removed server as silent.
  const expected = snap.leaderView ? Math.max(members.size, snap.leaderView.clusterSize) : Math.max(snap.expectedServers ?? 0, members.size);
  if (silent.length || snap.servers.length < expected || snap.problems.length) {
    const who = silent.length ? `silent: ${silent.join(", ")}` : `${expected - snap.servers.length} unnamed server(s) silent`;
    const problems = snap.problems.length ? `; ${snap.problems.join("; ")}` : "";
    if (silent.length || snap.servers.length < expected) {
      out.push(finding("monitor_partial", at(), `${snap.servers.length} of ${expected} servers answered (${who})${problems}`, {
        answered: snap.servers.length, expected, silent: silent.join(","),
      }));
    } else {
      out.push(finding("monitor_partial", at(), `collection was incomplete: ${snap.problems.join("; ")}`, { answered: snap.servers.length, expected }));
    }
  }

  // Leader agreement among the servers that answered. A server that knows no leader (an election
  // in progress) disagrees with nobody; two servers each claiming the leadership is a split (META_002).
  const claimants = snap.servers.filter((s) => s.metaLeader === s.name).map((s) => s.name).sort();
  if (claimants.length > 1) {
    out.push(finding("meta_leader_split", at(), `${claimants.length} servers claim to be the meta leader: ${claimants.join(", ")}`, {
      claimants: claimants.join(","), count: claimants.length,
    }));
  }
  const claims = new Map<string, string[]>();
  for (const s of snap.servers) if (s.metaLeader) claims.set(s.metaLeader, [...(claims.get(s.metaLeader) ?? []), s.name]);
  const leader = currentLeader(snap);
  if (!leader) {
    out.push(finding("meta_quorum_lost", at(), `meta group has no leader (${snap.servers.length} server(s) answered, none knows a leader)`, {
      answered: snap.servers.length, expected,
    }));
  } else if (claims.size > 1) {
    const desc = [...claims.entries()].map(([l, ss]) => `${ss.join(",")} -> ${l}`).join("; ");
    out.push(finding("meta_leader_disagreement", at(), `servers disagree on the meta leader: ${desc}`, { views: claims.size }));
  }

  const v = snap.leaderView;
  if (v) {
    const n = v.clusterSize;
    const offline = v.peers.filter((p) => p.offline);
    const online = n - offline.length;
    const quorum = quorumOf(n);
    if (online < quorum) {
      out.push(finding("meta_quorum_lost", at(), `meta group has ${online} of ${n} peers online; quorum needs ${quorum}`, { online, size: n, quorum }));
    }
    for (const p of offline) {
      const spare = Math.max(0, online - quorum);
      out.push(finding("meta_offline_replica", at({ peer: p.name }),
        `meta peer ${p.name} is offline: ${online} of ${n} online, the group survives ${spare} more failure(s)`,
        { online, size: n, quorum, survives: spare }));
    }
    const seenMs = t.peerSeenCriticalMs !== undefined && t.peerSeenCriticalMs > 0 ? t.peerSeenCriticalMs : undefined;
    for (const p of v.peers) {
      if (p.offline) {
        // Escalation: an offline peer is certainly not seen, so peer seen keeps firing (saying so)
        // while META_001 holds, and resolves only once the peer is heard from again.
        if (seenMs !== undefined) {
          out.push(finding("meta_peer_seen", at({ peer: p.name }),
            `meta peer ${p.name} is offline (marked by leader ${v.leader}${p.activeMs > 0 ? `, last heard from ${formatDuration(p.activeMs)} ago` : ""}; threshold ${formatDuration(seenMs)})`,
            { active_ms: Math.round(p.activeMs), threshold_ms: seenMs, current: p.current, offline: true }));
        }
      }
      const neverSeen = p.activeMs === 0 && !p.current;
      if (!p.offline && seenMs !== undefined && !neverSeen && p.activeMs > seenMs) {
        out.push(finding("meta_peer_seen", at({ peer: p.name }),
          `meta leader ${v.leader} last heard from ${p.name} ${formatDuration(p.activeMs)} ago (threshold ${formatDuration(seenMs)})`,
          { active_ms: Math.round(p.activeMs), threshold_ms: seenMs, current: p.current, offline: false }));
      }
      if (t.peerLagCritical !== undefined && t.peerLagCritical > 0 && p.lag > t.peerLagCritical) {
        out.push(finding("meta_peer_lag", at({ peer: p.name }), `meta peer ${p.name} is ${p.lag} entries behind (threshold ${t.peerLagCritical})`, {
          lag: p.lag, threshold: t.peerLagCritical,
        }));
      }
    }
  }

  // History: flapping and shrinking.
  const { counted, unplaced } = flapWindow(prev, snap, t);
  const methodsOf = (cs: LeaderChange[]) => [...new Set(cs.map((c) => (c.method === "raft-term" ? "Raft term" : "leader name")))].join(" and ");
  const total = counted.reduce((s, c) => s + c.count, 0);
  if (total > t.flapMaxChanges) {
    const methods = methodsOf(counted);
    // The seed's first step: look at the servers that held leadership. A Raft term counts
    // elections, not names: leaders between two runs are not known, so the list is "at least".
    const held = [...new Set(counted.flatMap((c) => [c.from, c.to]).concat(leader).filter((x): x is string => x !== undefined))].sort();
    out.push(finding("meta_leader_flapping", at(),
      `meta leader changed ${total} time(s) in the last ${formatDuration(t.flapWindowMs)} (allowed ${t.flapMaxChanges}; counted by ${methods}); leadership held by ${held.length ? held.join(", ") : "unknown servers"}${counted.some((c) => c.method === "raft-term") ? " (at least)" : ""}; now ${leader ?? "no leader"}`,
      { changes: total, max_changes: t.flapMaxChanges, window_ms: t.flapWindowMs, method: methods, leaders: held.join(",") }));
  }
  if (unplaced) {
    const gap = snap.collectedAt - earliest(unplaced);
    const who = unplaced.from && unplaced.to ? ` (${unplaced.from} -> ${unplaced.to})` : "";
    out.push(finding("meta_leader_changes_unplaced", at(),
      `meta leader changed ${unplaced.count} time(s)${who} since the previous run ${formatDuration(gap)} ago, longer than the ${formatDuration(t.flapWindowMs)} flap window: not counted by META_003 (counted by ${methodsOf([unplaced])})`,
      { changes: unplaced.count, gap_ms: gap, window_ms: t.flapWindowMs, method: methodsOf([unplaced]) }));
  }
  // META_009 counts distinct members the leader reports, not its `cluster_size` figure (it blips).
  if (v && prev?.members) {
    const now = memberNames(v);
    if (now.length < prev.members.length) {
      const gone = prev.members.filter((m) => !now.includes(m));
      out.push(finding("meta_cluster_shrunk", at(), `meta group shrank from ${prev.members.length} to ${now.length} distinct peers since the previous run${gone.length ? ` (no longer listed: ${gone.join(", ")})` : ""}`, {
        previous: prev.members.length, size: now.length, gone: gone.join(","),
      }));
    }
  }
  return out;
}
