// Links between servers: CLUSTER_005 routes missing to peers of the same cluster that answered this
// run; CLUSTER_007 an outbound gateway (server + remote cluster, never the connection id, which
// changes on every reconnect) present before and missing now; a leaf link that was connected and is
// not; route, gateway and leaf RTT above thresholds (SERVER_010, SERVER_018, LEAF_002).
// `subject.peer` names the other end: the peer server, the remote cluster, the leaf's server.
import { finding } from "../catalog.ts";
import type { Finding } from "../../findings/finding.ts";
import type { ServersSnapshot } from "../../snapshot/servers.ts";
import { formatDuration } from "../../thresholds/duration.ts";
import type { ServersObservation } from "./observation.ts";
import { round1, serverSubject } from "./subject.ts";
import type { ServerThresholds } from "./thresholds.ts";

export function linkFindings(snap: ServersSnapshot, next: ServersObservation, t: ServerThresholds): Finding[] {
  const out: Finding[] = [];
  const at = snap.collectedAt;
  const nameOfId = new Map(snap.servers.map((s) => [s.id, s.name]));
  for (const s of snap.servers) {
    const subject = serverSubject(snap, s);
    if (s.routes && s.cluster) {
      const peers = snap.servers.filter((p) => p !== s && p.cluster === s.cluster);
      // Route pooling (2.10+) opens several routes to one peer: count peers, not routes.
      const linked = new Set(s.routes.map((r) => r.remoteId));
      const missing = peers.filter((p) => !linked.has(p.id)).map((p) => p.name);
      if (missing.length) {
        out.push(
          finding(
            "cluster_routes_missing",
            subject,
            `${s.name} has routes to ${peers.length - missing.length} of ${peers.length} answering peers of cluster ${s.cluster}; none to ${missing.join(", ")}`,
            { routed: peers.length - missing.length, peers: peers.length, missing: missing.join(",") },
          ),
        );
      }
    }
    for (const r of s.routes ?? []) {
      if (r.rttMs === undefined || r.rttMs <= t.routeRttWarnMs) continue;
      const peer = r.remoteName ?? nameOfId.get(r.remoteId) ?? r.remoteId;
      if (out.some((f) => f.id === "route_rtt" && f.subject.server === s.name && f.subject.peer === peer)) continue;
      out.push(
        finding(
          "route_rtt",
          { ...subject, peer },
          `route ${s.name} -> ${peer} RTT ${round1(r.rttMs)}ms (warning above ${t.routeRttWarnMs}ms)`,
          { rtt_ms: round1(r.rttMs), threshold_ms: t.routeRttWarnMs },
        ),
      );
    }
    for (const g of s.gateways ?? []) {
      if (g.rttMs === undefined || g.rttMs <= t.gatewayRttWarnMs) continue;
      out.push(
        finding(
          "gateway_rtt",
          { ...subject, peer: g.remoteCluster },
          `gateway ${s.name} -> cluster ${g.remoteCluster} RTT ${round1(g.rttMs)}ms (warning above ${t.gatewayRttWarnMs}ms)`,
          { rtt_ms: round1(g.rttMs), threshold_ms: t.gatewayRttWarnMs },
        ),
      );
    }
    for (const l of s.leafs ?? []) {
      if (l.rttMs === undefined || l.rttMs <= t.leafRttWarnMs) continue;
      const sub = { ...subject, peer: l.name ?? "?", ...(l.account ? { account: l.account } : {}) };
      out.push(
        finding(
          "leaf_rtt",
          sub,
          `leaf link ${s.name} <-> ${l.name ?? "?"} (account ${l.account ?? "?"}) RTT ${round1(l.rttMs)}ms (warning above ${t.leafRttWarnMs}ms)`,
          { rtt_ms: round1(l.rttMs), threshold_ms: t.leafRttWarnMs },
        ),
      );
    }
    // Links this server had in earlier runs and lacks now; only judged when it answered that fan-out.
    const m = next.servers[s.name];
    if (s.gateways) {
      for (const [remote, last] of Object.entries(m?.gateways ?? {})) {
        if (last === at) continue;
        out.push(
          finding(
            "gateway_lost",
            { ...subject, peer: remote },
            `${s.name} has no gateway to cluster ${remote} (last seen ${formatDuration(at - last)} ago)`,
            { remote_cluster: remote, missing_ms: at - last },
          ),
        );
      }
    }
    if (s.leafs) {
      for (const [key, last] of Object.entries(m?.leafs ?? {})) {
        if (last === at) continue;
        const [account, peer] = [key.slice(0, key.indexOf("/")), key.slice(key.indexOf("/") + 1)];
        out.push(
          finding(
            "leaf_lost",
            { ...subject, account, peer },
            `${s.name} lost its leaf link with ${peer} (account ${account}, last seen ${formatDuration(at - last)} ago)`,
            { account, remote: peer, missing_ms: at - last },
          ),
        );
      }
    }
  }
  return out;
}
