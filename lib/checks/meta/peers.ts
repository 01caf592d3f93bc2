// Peer checks, from the meta leader's view of its peers: quorum (META_006), offline peers
// (META_001), peers not heard from, peers lagging. Without a leader none of them is judged.
import { quorumOf } from "../../core/raft.ts";
import type { MetaSnapshot } from "../../snapshot/meta.ts";
import { formatDuration } from "../../thresholds/duration.ts";
import { finding } from "../catalog.ts";
import type { MetaCheck } from "./run.ts";

function group(v: NonNullable<MetaSnapshot["leaderView"]>) {
  const size = v.clusterSize;
  const offline = v.peers.filter((p) => p.offline);
  const online = size - offline.length;
  return { size, offline, online, quorum: quorumOf(size) };
}

/** META_006: fewer peers online than a majority of the group. */
export const quorumOnline: MetaCheck = (snap, _t, run) => {
  const v = snap.leaderView;
  if (!v) return;
  const g = group(v);
  if (g.online >= g.quorum) return;
  run.out.push(
    finding(
      "meta_quorum_lost",
      run.at(),
      `meta group has ${g.online} of ${g.size} peers online; quorum needs ${g.quorum}`,
      { online: g.online, size: g.size, quorum: g.quorum },
    ),
  );
};

/** META_001: a peer the leader marks offline. */
export const peerOffline: MetaCheck = (snap, _t, run) => {
  const v = snap.leaderView;
  if (!v) return;
  const g = group(v);
  for (const p of g.offline) {
    const spare = Math.max(0, g.online - g.quorum);
    run.out.push(
      finding(
        "meta_offline_replica",
        run.at({ peer: p.name }),
        `meta peer ${p.name} is offline: ${g.online} of ${g.size} online, the group survives ${spare} more failure(s)`,
        { online: g.online, size: g.size, quorum: g.quorum, survives: spare },
      ),
    );
  }
};

/** A peer the leader has not heard from for longer than `peer-seen-critical`; stays firing while it is offline. */
export const peerSeen: MetaCheck = (snap, t, run) => {
  const v = snap.leaderView;
  const seenMs = t.peerSeenCriticalMs !== undefined && t.peerSeenCriticalMs > 0 ? t.peerSeenCriticalMs : undefined;
  if (!v || seenMs === undefined) return;
  for (const p of v.peers) {
    if (p.offline) {
      // Escalation: an offline peer is certainly not seen, so peer seen keeps firing (saying so)
      // while META_001 holds, and resolves only once the peer is heard from again.
      run.out.push(
        finding(
          "meta_peer_seen",
          run.at({ peer: p.name }),
          `meta peer ${p.name} is offline (marked by leader ${v.leader}${p.activeMs > 0 ? `, last heard from ${formatDuration(p.activeMs)} ago` : ""}; threshold ${formatDuration(seenMs)})`,
          { active_ms: Math.round(p.activeMs), threshold_ms: seenMs, current: p.current, offline: true },
        ),
      );
      continue;
    }
    const neverSeen = p.activeMs === 0 && !p.current;
    if (neverSeen || p.activeMs <= seenMs) continue;
    run.out.push(
      finding(
        "meta_peer_seen",
        run.at({ peer: p.name }),
        `meta leader ${v.leader} last heard from ${p.name} ${formatDuration(p.activeMs)} ago (threshold ${formatDuration(seenMs)})`,
        { active_ms: Math.round(p.activeMs), threshold_ms: seenMs, current: p.current, offline: false },
      ),
    );
  }
};

/** A peer more Raft entries behind the leader than `peer-lag-critical`. */
export const peerLag: MetaCheck = (snap, t, run) => {
  const v = snap.leaderView;
  const max = t.peerLagCritical !== undefined && t.peerLagCritical > 0 ? t.peerLagCritical : undefined;
  if (!v || max === undefined) return;
  for (const p of v.peers) {
    if (p.lag <= max) continue;
    run.out.push(
      finding(
        "meta_peer_lag",
        run.at({ peer: p.name }),
        `meta peer ${p.name} is ${p.lag} entries behind (threshold ${max})`,
        { lag: p.lag, threshold: max },
      ),
    );
  }
};
