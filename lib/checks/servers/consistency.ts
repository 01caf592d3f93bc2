// Consistency across servers: SERVER_002 a version other than its cluster's majority (per cluster, so
// an older cluster of a supercluster is not compared with another), SERVER_007 authentication not
// required, and two meta group checks judged here because VARZ carries the meta group's size and its
// leader's pending count on every server, which this slice reads anyway: META_007 an even meta group
// size in two runs in a row (one reply's count can blip), META_008 the meta leader's pending entries
// above the threshold.
import { finding } from "../catalog.ts";
import type { Finding } from "../../findings/finding.ts";
import type { ServersSnapshot } from "../../snapshot/servers.ts";
import { serverSubject } from "./subject.ts";
import { metaSizes, type ServersObservation } from "./observation.ts";
import type { ServerThresholds } from "./thresholds.ts";

export function consistencyFindings(
  snap: ServersSnapshot,
  prev: ServersObservation | undefined,
  t: ServerThresholds,
): Finding[] {
  const out: Finding[] = [];
  const byCluster = new Map<string, typeof snap.servers>();
  for (const s of snap.servers) byCluster.set(s.cluster ?? "", [...(byCluster.get(s.cluster ?? "") ?? []), s]);
  for (const servers of byCluster.values()) {
    const counts = new Map<string, number>();
    for (const s of servers) counts.set(s.version, (counts.get(s.version) ?? 0) + 1);
    const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    // No majority (a tie at the top): nothing to compare against.
    if (ranked.length < 2 || ranked[0]![1] === ranked[1]![1]) continue;
    const major = ranked[0]![0];
    for (const s of servers) {
      if (s.version === major) continue;
      out.push(
        finding(
          "server_version_differs",
          serverSubject(snap, s),
          `${s.name} runs ${s.version}; most of cluster ${s.cluster ?? "?"} runs ${major}`,
          { version: s.version, majority: major },
        ),
      );
    }
  }
  for (const s of snap.servers) {
    if (!s.authRequired)
      out.push(
        finding("server_auth_not_required", serverSubject(snap, s), `${s.name} does not require authentication`, {
          auth_required: false,
        }),
      );
  }
  // One meta group per JetStream domain: its size is the largest any member reports; its pending
  // count is the leader's own.
  const sizes = metaSizes(snap);
  const groups = new Map<
    string,
    { size: number; name?: string; leader?: { server: (typeof snap.servers)[number]; pending?: number } }
  >();
  for (const s of snap.servers) {
    if (!s.meta) continue;
    const key = s.domain ?? "";
    const g = groups.get(key) ?? { size: sizes[key] ?? 0 };
    if (s.meta.name) g.name = s.meta.name;
    if (s.meta.leader === s.name)
      g.leader = { server: s, ...(s.meta.pending !== undefined ? { pending: s.meta.pending } : {}) };
    groups.set(key, g);
  }
  for (const [domain, g] of groups) {
    const cluster = g.name ?? snap.cluster;
    const subject = cluster ? { cluster } : {};
    const where = domain ? ` (domain ${domain})` : "";
    if (g.size > 1 && g.size % 2 === 0 && prev?.metaSizes?.[domain] === g.size) {
      out.push(
        finding(
          "meta_even_size",
          subject,
          `meta group${where} has ${g.size} members: an even size tolerates no more failures than ${g.size - 1}`,
          { cluster_size: g.size },
        ),
      );
    }
    const pending = g.leader?.pending;
    if (g.leader && pending !== undefined && pending > t.metaPendingWarn) {
      out.push(
        finding(
          "meta_leader_pending",
          { ...subject, server: g.leader.server.name },
          `meta leader ${g.leader.server.name}${where} has ${pending} pending entries (warning above ${t.metaPendingWarn})`,
          { pending, threshold: t.metaPendingWarn },
        ),
      );
    }
  }
  return out;
}
