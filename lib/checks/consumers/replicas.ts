// CONSUMER_001/002/003 and consumer peer seen, from the consumer leader's view of its Raft group.
// The escalation rule: an offline follower is certainly not seen, so peer seen keeps firing (saying
// it is offline) while CONSUMER_001 holds; a leaderless consumer judges only its quorum.
import { quorumOf } from "../../core/raft.ts";
import type { Finding } from "../../findings/finding.ts";
import type { ConsumersSnapshot, ConsumerView } from "../../snapshot/consumers.ts";
import { consumerKey } from "../../snapshot/consumers.ts";
import { formatDuration } from "../../thresholds/duration.ts";
import type { ConsumerThresholds } from "../../thresholds/consumer-keys.ts";
import { consumerFinding } from "./defs.ts";
import { consumerLabel, consumerSubject } from "./subject.ts";

export interface ReplicaMemory {
  /** By `<consumer key>|<peer>`: since when the leader reports a follower it never heard from. */
  prevUnheard: Readonly<Record<string, number>>;
  unheard: Record<string, number>;
}

export function checkConsumerReplicas(
  snap: ConsumersSnapshot,
  v: ConsumerView,
  t: ConsumerThresholds,
  mem: ReplicaMemory,
  out: Finding[],
): void {
  const R = Math.max(1, v.replicas);
  const label = consumerLabel(v);
  if (v.status === "leaderless") {
    const q = quorumOf(R);
    out.push(
      consumerFinding(
        "consumer_quorum_lost",
        consumerSubject(snap, v),
        `${label} has no leader (R${R}, held by ${v.holders.join(", ") || "no server"}); quorum needs ${q} of ${R} peers: deliveries and acks stop`,
        { leader: null, replicas: R, quorum: q, holders: v.holders.length },
      ),
    );
    return;
  }
  const followers = v.peers.filter((p) => p.name !== v.leader);
  const members = Math.max(R, followers.length + 1);
  const offline = followers.filter((p) => p.offline);
  const unlisted = Math.max(0, members - 1 - followers.length);
  const online = members - offline.length - unlisted;
  const q = quorumOf(members);
  if (online < q) {
    out.push(
      consumerFinding(
        "consumer_quorum_lost",
        consumerSubject(snap, v),
        `${label}: ${online} of ${members} peers online (leader ${v.leader}); quorum needs ${q}`,
        { online, replicas: members, quorum: q, offline: offline.length, leader: v.leader ?? null },
      ),
    );
  }
  for (const p of offline) {
    out.push(
      consumerFinding(
        "consumer_replica_offline",
        consumerSubject(snap, v, { peer: p.name }),
        `${label}: replica ${p.name} is offline; ${online} of ${members} online, the consumer survives ${Math.max(0, online - q)} more failure(s)`,
        { online, replicas: members, quorum: q },
      ),
    );
  }
  const seen = t.peerSeenCriticalMs;
  for (const p of followers) {
    if (seen !== undefined) {
      if (p.offline) {
        out.push(
          consumerFinding(
            "consumer_peer_seen",
            consumerSubject(snap, v, { peer: p.name }),
            `${label}: replica ${p.name} is offline (marked by leader ${v.leader}${p.activeMs > 0 ? `, last heard from ${formatDuration(p.activeMs)} ago` : ""}; threshold ${formatDuration(seen)})`,
            { active_ms: Math.round(p.activeMs), threshold_ms: seen, offline: true, lag: p.lag },
          ),
        );
      } else if (p.activeMs === 0 && !p.current) {
        // Not heard from since this leader took over; the server does not say when that was, so
        // it is timed across runs (a leader just elected looks the same for a moment).
        const key = `${consumerKey(v)}|${p.name}`;
        const since = mem.prevUnheard[key] ?? snap.collectedAt;
        mem.unheard[key] = since;
        const ms = snap.collectedAt - since;
        if (ms > seen) {
          out.push(
            consumerFinding(
              "consumer_peer_seen",
              consumerSubject(snap, v, { peer: p.name }),
              `${label}: leader ${v.leader} has not heard from replica ${p.name} for at least ${formatDuration(ms)} (seen across runs; threshold ${formatDuration(seen)})`,
              { active_ms: null, unheard_ms: ms, threshold_ms: seen, lag: p.lag, current: false },
            ),
          );
        }
      } else if (p.activeMs > seen) {
        out.push(
          consumerFinding(
            "consumer_peer_seen",
            consumerSubject(snap, v, { peer: p.name }),
            `${label}: leader ${v.leader} last heard from replica ${p.name} ${formatDuration(p.activeMs)} ago (threshold ${formatDuration(seen)})`,
            { active_ms: Math.round(p.activeMs), threshold_ms: seen, current: p.current, lag: p.lag },
          ),
        );
      }
    }
    const lagMax = t.peerLagWarning;
    if (lagMax !== undefined && !p.offline && p.lag > lagMax) {
      out.push(
        consumerFinding(
          "consumer_peer_lag",
          consumerSubject(snap, v, { peer: p.name }),
          `${label}: replica ${p.name} is ${p.lag} operations behind leader ${v.leader} (threshold ${lagMax})`,
          { lag: p.lag, threshold: lagMax },
        ),
      );
    }
  }
}
