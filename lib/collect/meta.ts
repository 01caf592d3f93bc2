// Collects the meta slice: one JSZ fan-out (and one RAFTZ fan-out where servers offer it), parsed
// into a MetaSnapshot. Judges nothing: a failed request becomes a `problems` entry or `blind`.
import type { NatsConnection } from "@nats-io/transport-node";
import { num } from "./values.ts";
import { sysFanout } from "../nats/fanout.ts";
import type { RequestStats } from "../nats/stats.ts";
import type { JszWire, RaftzWire, SysEnvelope } from "../nats/wire.ts";
import type { MetaRaft, MetaSnapshot, ServerReport } from "../snapshot/meta.ts";
import { parsePeers } from "./peers.ts";
import { versionAtLeast } from "../nats/version.ts";

export interface MetaCollectOptions {
  timeoutMs: number;
  /** Servers expected to answer, when known (e.g. from the previous run). */
  expectedServers?: number;
  clusterLabel?: string;
  stats: RequestStats;
  now?: () => number;
}


export function serverReport(env: SysEnvelope<JszWire>): ServerReport {
  const mc = env.data?.meta_cluster;
  const r: ServerReport = { name: env.server.name, version: env.server.ver };
  if (env.server.cluster) r.cluster = env.server.cluster;
  if (env.server.domain) r.domain = env.server.domain;
  if (mc?.leader) r.metaLeader = mc.leader;
  if (mc?.cluster_size) r.clusterSize = mc.cluster_size;
  return r;
}


/** The meta group's term from RAFTZ replies: the highest any server reports for `<sys>._meta_`. */
export function metaTerm(replies: SysEnvelope<RaftzWire>[]): MetaRaft | undefined {
  let best: MetaRaft | undefined;
  for (const r of replies) {
    for (const groups of Object.values(r.data ?? {})) {
      const meta = groups?._meta_;
      if (meta && typeof meta.term === "number" && (!best || meta.term > best.term)) best = { term: meta.term, reportedBy: r.server.name };
    }
  }
  return best;
}

/** The meta group's size: the largest any reply (or the last run) names. */
export function metaGroupSize(replies: readonly SysEnvelope<JszWire>[], known: number | undefined): number | undefined {
  let n = known;
  for (const r of replies) {
    const size = num(r.data?.meta_cluster?.cluster_size);
    if (size > (n ?? 0)) n = size;
  }
  return n;
}

/**
 * How many replies to wait for: the meta group's size plus the replies already in from servers
 * outside the group (no meta section: e.g. a single-server JetStream domain joined over the
 * system account's leafnode), which must not stand in for members.
 */
export function expectedServers(replies: readonly SysEnvelope<JszWire>[], known: number | undefined): number | undefined {
  const n = metaGroupSize(replies, known);
  const outside = replies.filter((r) => r?.server?.name && !r.error && !r.data?.meta_cluster).length;
  return n === undefined ? undefined : n + outside;
}

/** Parses JSZ replies into a MetaSnapshot (pure: the fixture tests feed it captured replies). */
export function parseMetaReplies(
  replies: readonly SysEnvelope<JszWire>[],
  o: { collectedAt: number; clusterLabel?: string; expectedServers?: number; timeoutMs: number; stats: RequestStats },
): MetaSnapshot {
  const snap: MetaSnapshot = { collectedAt: o.collectedAt, cluster: o.clusterLabel, servers: [], expectedServers: metaGroupSize(replies, o.expectedServers), problems: [], stats: o.stats };
  for (const env of replies) {
    if (!env?.server?.name) {
      snap.problems.push("a JSZ reply without a server name was ignored");
      continue;
    }
    if (env.error) {
      snap.problems.push(`${env.server.name} answered JSZ with error ${env.error.code}: ${env.error.description ?? ""}`.trim());
      continue;
    }
    snap.servers.push(serverReport(env));
  }
  // A server without clustering has no meta group: nothing for this slice to judge. Next to a meta
  // group, such a server of another JetStream domain (a leaf joined over the system account) is
  // simply not a member; one of the group's own domain without a meta section is a problem.
  const withoutMeta = replies.filter((r) => r?.server?.name && !r.error && !r.data?.meta_cluster);
  const members = replies.filter((r) => r?.server?.name && !r.error && r.data?.meta_cluster);
  const groupDomains = new Set(members.map((r) => r.server.domain ?? ""));
  if (snap.servers.length && withoutMeta.length === snap.servers.length) snap.standalone = true;
  else {
    const odd = withoutMeta.filter((r) => groupDomains.has(r.server.domain ?? "")).map((r) => r.server.name);
    if (odd.length) snap.problems.push(`${odd.join(", ")} answered JSZ without a meta_cluster section (JetStream off or not clustered?)`);
    const outside = new Set(withoutMeta.filter((r) => !groupDomains.has(r.server.domain ?? "")).map((r) => r.server.name));
    snap.servers = snap.servers.filter((s) => !outside.has(s.name));
  }
  if (!snap.cluster) snap.cluster = snap.servers.find((s) => s.cluster)?.cluster;
  if (replies.length === 0) {
    snap.blind = `no server answered $SYS.REQ.SERVER.PING.JSZ within ${o.timeoutMs} ms (are these system-account credentials?)`;
    return snap;
  }
  // Only the meta leader's own reply shows the peers reliably.
  const leaderReply = replies.find((r) => r.data?.meta_cluster?.leader && r.data.meta_cluster.leader === r.server.name);
  const mc = leaderReply?.data?.meta_cluster;
  if (leaderReply && mc) snap.leaderView = { leader: leaderReply.server.name, clusterSize: num(mc.cluster_size, 1), peers: parsePeers(mc.replicas) };
  return snap;
}

export async function collectMeta(nc: NatsConnection, o: MetaCollectOptions): Promise<MetaSnapshot> {
  const now = o.now ?? Date.now;
  const collectedAt = now();
  const jsz = await sysFanout<JszWire>(nc, "$SYS.REQ.SERVER.PING.JSZ", {}, {
    timeoutMs: o.timeoutMs,
    stats: o.stats,
    expected: (replies) => expectedServers(replies as SysEnvelope<JszWire>[], o.expectedServers),
  });
  const p: Parameters<typeof parseMetaReplies>[1] = { collectedAt, timeoutMs: o.timeoutMs, stats: o.stats };
  if (o.clusterLabel) p.clusterLabel = o.clusterLabel;
  if (o.expectedServers) p.expectedServers = o.expectedServers;
  const snap = parseMetaReplies(jsz.replies, p);
  snap.problems.unshift(...jsz.undecodable.map((u) => `undecodable JSZ reply: ${u}`));
  if (snap.blind) return snap;

  // Elections counted by Raft term, where every answering server supports RAFTZ (2.10.17+).
  if (snap.servers.length && snap.servers.every((s) => versionAtLeast(s.version, "2.10.17"))) {
    try {
      const raft = await sysFanout<RaftzWire>(nc, "$SYS.REQ.SERVER.PING.RAFTZ", {}, {
        timeoutMs: o.timeoutMs,
        stats: o.stats,
        expected: (replies) => (replies.length >= snap.servers.length ? snap.servers.length : undefined),
      });
      const term = metaTerm(raft.replies);
      if (term) snap.raft = term;
    } catch (e) {
      snap.problems.push(`RAFTZ request failed: ${(e as Error).message}`);
    }
  }
  return snap;
}
