// Replica checks: quorum, offline replicas, followers not seen or lagging, the expected peer count.
// All judged from the stream leader's view of its followers; a stream without a leader is only
// quorum lost (its replicas have nobody to report them, so their alerts stay as they were).
import { quorumOf } from "../../core/raft.ts";
import type { StreamView } from "../../snapshot/streams.ts";
import { streamKey } from "../../snapshot/streams.ts";
import { formatDuration } from "../../thresholds/duration.ts";
import { finding } from "../catalog.ts";
import { label, subjectOf } from "../stream-subject.ts";
import type { StreamCheck } from "./run.ts";

// The leader's replicas list omits the leader itself, so the common case allocates nothing.
const followersOf = (v: StreamView) =>
  v.peers.some((p) => p.name === v.leader) ? v.peers.filter((p) => p.name !== v.leader) : v.peers;
const NONE: readonly StreamView["peers"][number][] = [];

/** The group as the leader reports it: R, its followers, who is offline and how many are online. */
function membership(v: StreamView) {
  const replicas = Math.max(1, v.replicas);
  const followers = followersOf(v);
  const members = Math.max(replicas, followers.length + 1);
  const offline = followers.some((p) => p.offline) ? followers.filter((p) => p.offline) : NONE;
  const unlisted = Math.max(0, replicas - 1 - followers.length);
  const online = members - offline.length - unlisted;
  return { replicas, followers, members, offline, online, quorum: quorumOf(members) };
}

/** JETSTREAM_008: no leader, or fewer peers online than a majority. */
export const quorumLost: StreamCheck = (v, _t, run) => {
  if (v.status === "leaderless") {
    const R = Math.max(1, v.replicas);
    const quorum = quorumOf(R);
    const holders = v.holders.length ? `held by ${v.holders.join(", ")}` : "no server reported holding it";
    run.out.push(
      finding(
        "stream_quorum_lost",
        subjectOf(run.snap, v),
        `${label(v)} has no leader (R${R}, ${holders}); quorum needs ${quorum} of ${R} peers: publishes fail`,
        { leader: null, replicas: R, quorum, holders: v.holders.length },
      ),
    );
    return;
  }
  const m = membership(v);
  if (m.online >= m.quorum) return;
  run.out.push(
    finding(
      "stream_quorum_lost",
      subjectOf(run.snap, v),
      `${label(v)}: ${m.online} of ${m.members} peers online (leader ${v.leader}); quorum needs ${m.quorum}`,
      { online: m.online, replicas: m.members, quorum: m.quorum, offline: m.offline.length, leader: v.leader ?? null },
    ),
  );
};

/** A follower the leader marks offline. */
export const replicaOffline: StreamCheck = (v, _t, run) => {
  if (v.status === "leaderless") return;
  const m = membership(v);
  for (const p of m.offline) {
    const spare = Math.max(0, m.online - m.quorum);
    run.out.push(
      finding(
        "stream_replica_offline",
        subjectOf(run.snap, v, { peer: p.name }),
        `${label(v)}: replica ${p.name} is offline; ${m.online} of ${m.members} online, the stream survives ${spare} more failure(s)`,
        { online: m.online, replicas: m.members, quorum: m.quorum, survives: spare },
      ),
    );
  }
};

/** JETSTREAM_023: a follower the leader has not heard from for longer than `peer-seen-critical`. */
export const peerSeen: StreamCheck = (v, { values, origin }, run) => {
  const seen = values.peerSeenCriticalMs;
  if (v.status === "leaderless" || seen === undefined) return;
  const thresholdOrigin = origin["peer-seen-critical"] ?? null;
  for (const p of followersOf(v)) {
    if (p.offline) {
      // Escalation: an offline replica is certainly not seen, so peer seen keeps firing (saying so)
      // while the offline condition holds, and resolves only once the leader hears from it again.
      const heard = p.activeMs > 0 ? `, last heard from ${formatDuration(p.activeMs)} ago` : "";
      run.out.push(
        finding(
          "stream_peer_seen",
          subjectOf(run.snap, v, { peer: p.name }),
          `${label(v)}: replica ${p.name} is offline (marked by leader ${v.leader}${heard}; threshold ${formatDuration(seen)})`,
          {
            active_ms: Math.round(p.activeMs),
            threshold_ms: seen,
            threshold_origin: thresholdOrigin,
            current: p.current,
            lag: p.lag,
            offline: true,
          },
        ),
      );
    } else if (p.activeMs === 0 && !p.current) {
      // Never heard from since the leader was elected: how long that is, 2.11.9+ says. Older servers
      // do not: count from the first run that saw it so (a stream just created, or a leader just
      // elected, looks the same for a moment and must not page).
      let unheardMs = v.leaderForMs;
      if (unheardMs === undefined) {
        const key = `${streamKey(v)}|${p.name}`;
        const since = run.before.unheard[key] ?? run.snap.collectedAt;
        run.after.unheard[key] = since;
        unheardMs = run.snap.collectedAt - since;
      }
      if (unheardMs <= seen) continue;
      const since =
        v.leaderForMs === undefined
          ? `for at least ${formatDuration(unheardMs)} (seen across runs; the server does not say when it was elected)`
          : `since it became leader ${formatDuration(v.leaderForMs)} ago`;
      run.out.push(
        finding(
          "stream_peer_seen",
          subjectOf(run.snap, v, { peer: p.name }),
          `${label(v)}: leader ${v.leader} has not heard from replica ${p.name} ${since} (threshold ${formatDuration(seen)}), ${p.lag} entries behind`,
          {
            active_ms: null,
            leader_for_ms: v.leaderForMs ?? null,
            unheard_ms: unheardMs,
            threshold_ms: seen,
            threshold_origin: thresholdOrigin,
            lag: p.lag,
            current: false,
          },
        ),
      );
    } else if (p.activeMs > seen) {
      run.out.push(
        finding(
          "stream_peer_seen",
          subjectOf(run.snap, v, { peer: p.name }),
          `${label(v)}: leader ${v.leader} last heard from replica ${p.name} ${formatDuration(p.activeMs)} ago (threshold ${formatDuration(seen)})`,
          {
            active_ms: Math.round(p.activeMs),
            threshold_ms: seen,
            threshold_origin: thresholdOrigin,
            current: p.current,
            lag: p.lag,
          },
        ),
      );
    }
  }
};

/** JETSTREAM_022: a follower more Raft entries behind than `peer-lag-critical`. */
export const peerLag: StreamCheck = (v, { values, origin }, run) => {
  const lagMax = values.peerLagCritical;
  if (v.status === "leaderless" || lagMax === undefined) return;
  for (const p of followersOf(v)) {
    if (p.lag <= lagMax) continue;
    run.out.push(
      finding(
        "stream_peer_lag",
        subjectOf(run.snap, v, { peer: p.name }),
        `${label(v)}: replica ${p.name} is ${p.lag} entries behind leader ${v.leader} (threshold ${lagMax})`,
        { lag: p.lag, threshold: lagMax, threshold_origin: origin["peer-lag-critical"] ?? null },
      ),
    );
  }
};

/** JETSTREAM_021: peers (followers + leader) other than `peer-expect`. */
export const peerExpect: StreamCheck = (v, { values, origin }, run) => {
  const expected = values.peerExpect;
  if (v.status === "leaderless" || expected === undefined) return;
  const peers = followersOf(v).length + 1;
  if (peers === expected) return;
  run.out.push(
    finding(
      "stream_peer_expect",
      subjectOf(run.snap, v),
      `${label(v)} has ${peers} peer(s), expected ${expected} (R${Math.max(1, v.replicas)})`,
      { peers, expected, replicas: Math.max(1, v.replicas), threshold_origin: origin["peer-expect"] ?? null },
    ),
  );
};

/** This family's checks, in the order they run. */
export const REPLICA_CHECKS: readonly StreamCheck[] = [quorumLost, replicaOffline, peerSeen, peerLag, peerExpect];
