// Meta group checks: pure functions of (snapshot, previous observation, thresholds) -> findings.
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
  /** Every server name ever seen in the group (answering or in the leader's peer list). */
  knownServers: string[];
  /** Leader changes counted at each run inside the flap window. */
  changes: LeaderChange[];
}

export interface LeaderChange {
  at: number;
  count: number;
  method: "raft-term" | "leader-name";
  from?: string;
  to?: string;
}

export const quorumOf = (n: number): number => Math.floor(n / 2) + 1;

/** Leader changes between the previous run and this snapshot: by Raft term when both have one, else by name. */
export function leaderChangeSince(prev: MetaObservation | undefined, snap: MetaSnapshot): LeaderChange | undefined {
  if (!prev) return undefined;
  const leader = currentLeader(snap);
  // A term below the last one means the group was rebuilt (state wiped): the terms say nothing
  // about elections in between, so fall back to comparing names.
  if (prev.term !== undefined && snap.raft && snap.raft.term >= prev.term) {
    const count = snap.raft.term - prev.term;
    if (count === 0) return undefined;
    const c: LeaderChange = { at: snap.collectedAt, count, method: "raft-term" };
    if (prev.leader) c.from = prev.leader;
    if (leader) c.to = leader;
    return c;
  }
  if (prev.leader && leader && prev.leader !== leader) return { at: snap.collectedAt, count: 1, method: "leader-name", from: prev.leader, to: leader };
  return undefined;
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
  const change = leaderChangeSince(prev, snap);
  const changes = [...(prev?.changes ?? []), ...(change ? [change] : [])].filter((c) => c.at > snap.collectedAt - t.flapWindowMs);
  const o: MetaObservation = { at: snap.collectedAt, knownServers: [...known].sort(), changes };
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

  // Leader agreement among the servers that answered.
  const claims = new Map<string, string[]>();
  for (const s of snap.servers) {
    const k = s.metaLeader ?? "(none)";
    claims.set(k, [...(claims.get(k) ?? []), s.name]);
  }
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
    for (const p of v.peers) {
      if (p.offline) continue;
      const neverSeen = p.activeMs === 0 && !p.current;
      if (t.peerSeenCriticalMs !== undefined && t.peerSeenCriticalMs > 0 && !neverSeen && p.activeMs > t.peerSeenCriticalMs) {
        out.push(finding("meta_peer_seen", at({ peer: p.name }),
          `meta leader ${v.leader} last heard from ${p.name} ${formatDuration(p.activeMs)} ago (threshold ${formatDuration(t.peerSeenCriticalMs)})`,
          { active_ms: Math.round(p.activeMs), threshold_ms: t.peerSeenCriticalMs, current: p.current }));
      }
      if (t.peerLagCritical !== undefined && t.peerLagCritical > 0 && p.lag > t.peerLagCritical) {
        out.push(finding("meta_peer_lag", at({ peer: p.name }), `meta peer ${p.name} is ${p.lag} entries behind (threshold ${t.peerLagCritical})`, {
          lag: p.lag, threshold: t.peerLagCritical,
        }));
      }
    }
  }

  // History: flapping and shrinking.
  const change = leaderChangeSince(prev, snap);
  const window = [...(prev?.changes ?? []), ...(change ? [change] : [])].filter((c) => c.at > snap.collectedAt - t.flapWindowMs);
  const total = window.reduce((s, c) => s + c.count, 0);
  if (total > t.flapMaxChanges) {
    const methods = [...new Set(window.map((c) => (c.method === "raft-term" ? "Raft term" : "leader name")))].join(" and ");
    out.push(finding("meta_leader_flapping", at(),
      `meta leader changed ${total} time(s) in the last ${formatDuration(t.flapWindowMs)} (allowed ${t.flapMaxChanges}; counted by ${methods}); now ${leader ?? "no leader"}`,
      { changes: total, max_changes: t.flapMaxChanges, window_ms: t.flapWindowMs, method: methods }));
  }
  const size = v?.clusterSize;
  if (size !== undefined && prev?.clusterSize !== undefined && size < prev.clusterSize) {
    out.push(finding("meta_cluster_shrunk", at(), `meta group shrank from ${prev.clusterSize} to ${size} peers since the previous run`, {
      previous: prev.clusterSize, size,
    }));
  }
  return out;
}
