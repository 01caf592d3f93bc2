import { evaluateMeta, observeMeta, type MetaObservation } from "../checks/meta.ts";
import { collectMeta } from "../collect/meta.ts";
import type { MetaSnapshot } from "../snapshot/meta.ts";
import type { AlertState } from "../alerts/alert.ts";
import type { Slice } from "./slice.ts";
import { quorumOf } from "../core/raft.ts";

const PEER_CHECKS = new Set(["meta_peer_seen", "meta_peer_lag", "meta_offline_replica"]);

export const metaSlice: Slice<MetaSnapshot, MetaObservation> = {
  name: "meta",
  collect: (nc, ctx) => {
    const o: Parameters<typeof collectMeta>[1] = {
      timeoutMs: ctx.config.timeouts.requestMs,
      stats: ctx.stats,
      now: ctx.now,
    };
    if (ctx.config.clusterLabel) o.clusterLabel = ctx.config.clusterLabel;
    const known = ctx.previous?.clusterSize;
    if (known) o.expectedServers = known;
    return collectMeta(nc, o);
  },
  blind: (reason, ctx) => ({
    collectedAt: ctx.now(),
    cluster: ctx.config.clusterLabel,
    blind: reason,
    servers: [],
    expectedServers: undefined,
    problems: [],
    stats: ctx.stats,
  }),
  judge: (snap, prev, config) => ({
    findings: evaluateMeta(snap, prev, config.thresholds.meta),
    observation: observeMeta(snap, prev, config.thresholds.meta),
    covers: (alert) => covers(snap, alert),
  }),
  perf: (snap) => {
    const view = snap.leaderView;
    if (snap.blind || snap.standalone) return [];
    const members = view ? view.peers.length + 1 : (snap.expectedServers ?? 0);
    const online = view ? 1 + view.peers.filter((p) => !p.offline).length : 0;
    return [
      {
        name: "meta_peers_online",
        value: online,
        help: "Meta group peers online as the meta leader reports them (0: no leader).",
        critical: `${quorumOf(members)}:`,
        min: 0,
        max: members,
      },
      {
        name: "meta_servers_answered",
        value: snap.servers.length,
        help: "Servers that answered the JSZ fan-out.",
        min: 0,
      },
    ];
  },
};

// A blind run clears nothing but the blind alert itself. A peer's alerts need the leader's view
// of that peer: without a leader (quorum lost), or while the leader's list leaves it out and is
// shorter than the group, the peer is not judged and its alerts stay open (never a "resolved"
// for an outage that got worse). A peer missing from a complete list was removed: it may clear.
function covers(snap: MetaSnapshot, alert: AlertState): boolean {
  if (alert.finding.id === "monitor_blind") return true;
  if (snap.blind) return false;
  if (!PEER_CHECKS.has(alert.finding.id)) return true;
  const v = snap.leaderView;
  if (!v) return false;
  const peer = alert.finding.subject.peer;
  if (peer === undefined || peer === v.leader || v.peers.some((p) => p.name === peer)) return true;
  return v.peers.length + 1 >= v.clusterSize;
}
