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
      if (meta && typeof meta.term === "number" && (!best || meta.term > best.term))
        best = { term: meta.term, reportedBy: r.server.name };
    }
  }
  return best;
}

const domainOf = (r: SysEnvelope<JszWire>): string => r?.server?.domain ?? "";

/**
 * The JetStream domain whose meta group this slice judges: the connected server's ("" when it has
 * none), given by the caller; for captured replies without it, the domain of the largest meta group.
 * Servers of other domains joined over the system account's leafnodes answer the fan-out too: a
 * leaf cluster has a meta group of its own, which is not this one.
 */
export function homeDomain(replies: readonly SysEnvelope<JszWire>[], connectedDomain?: string): string {
  if (connectedDomain !== undefined) return connectedDomain;
  let best: { domain: string; size: number } | undefined;
  for (const r of replies) {
    const size = num(r?.data?.meta_cluster?.cluster_size);
    if (size && (!best || size > best.size)) best = { domain: domainOf(r), size };
  }
  if (best) return best.domain;
  const first = replies.find((r) => r?.server?.name && !r.error);
  return first ? domainOf(first) : "";
}

/** The meta group's size: the largest any reply of the home domain (or the last run) names. */
export function metaGroupSize(
  replies: readonly SysEnvelope<JszWire>[],
  known: number | undefined,
  home = homeDomain(replies),
): number | undefined {
  let n = known;
  for (const r of replies) {
    if (domainOf(r) !== home) continue;
    const size = num(r.data?.meta_cluster?.cluster_size);
    if (size > (n ?? 0)) n = size;
  }
  return n;
}

/**
 * How many replies to wait for: the meta group's size plus the replies already in from servers
 * outside the group (no meta section, e.g. a single-server JetStream domain joined over the
 * system account's leafnode, or another domain's servers, e.g. a leaf cluster), which must not
 * stand in for members.
 */
export function expectedServers(
  replies: readonly SysEnvelope<JszWire>[],
  known: number | undefined,
  connectedDomain?: string,
): number | undefined {
  const home = homeDomain(replies, connectedDomain);
  const n = metaGroupSize(replies, known, home);
  if (n === undefined) return undefined;
  // Distinct members that answered: a reply can arrive twice (a leaf cluster joined by several
  // leafnodes to the system account relays the request more than once), and must not stand in
  // for a member that has not answered.
  const members = new Set(
    replies
      .filter((r) => r?.server?.name && !r.error && r.data?.meta_cluster && domainOf(r) === home)
      .map((r) => r.server.name),
  );
  return n + (replies.length - members.size);
}

/** Parses JSZ replies into a MetaSnapshot (pure: the fixture tests feed it captured replies). */
export function parseMetaReplies(
  replies: readonly SysEnvelope<JszWire>[],
  o: {
    collectedAt: number;
    clusterLabel?: string;
    expectedServers?: number;
    timeoutMs: number;
    stats: RequestStats;
    connectedDomain?: string;
  },
): MetaSnapshot {
  const home = homeDomain(replies, o.connectedDomain);
  const snap: MetaSnapshot = {
    collectedAt: o.collectedAt,
    cluster: o.clusterLabel,
    servers: [],
    expectedServers: metaGroupSize(replies, o.expectedServers, home),
    problems: [],
    stats: o.stats,
  };
  for (const env of replies) {
    if (!env?.server?.name) {
      snap.problems.push("a JSZ reply without a server name was ignored");
      continue;
    }
    if (env.error) {
      snap.problems.push(
        `${env.server.name} answered JSZ with error ${env.error.code}: ${env.error.description ?? ""}`.trim(),
      );
      continue;
    }
    if (snap.servers.some((s) => s.name === env.server.name)) continue; // the same reply twice
    snap.servers.push(serverReport(env));
  }
  // Only the home domain's servers are members of the meta group this slice judges: servers of
  // other JetStream domains joined over the system account (a leaf server, or a leaf cluster with
  // a meta group of its own) are simply not members: no warning about them, and neither their
  // replies nor their leader stand in for the group's. A server without clustering has no meta
  // group: nothing to judge; one of the home domain without a meta section is a problem.
  const ok = (r: SysEnvelope<JszWire>) => Boolean(r?.server?.name) && !r.error;
  const homeReplies = replies.filter((r) => ok(r) && domainOf(r) === home);
  const withoutMeta = homeReplies.filter((r) => !r.data?.meta_cluster);
  const members = homeReplies.filter((r) => r.data?.meta_cluster);
  const inHome = new Set(homeReplies.map((r) => r.server.name));
  if (homeReplies.length && members.length === 0) snap.standalone = true;
  else if (members.length && withoutMeta.length) {
    snap.problems.push(
      `${withoutMeta.map((r) => r.server.name).join(", ")} answered JSZ without a meta_cluster section (JetStream off or not clustered?)`,
    );
  }
  snap.servers = snap.servers.filter((s) => inHome.has(s.name));
  // Identity: the configured label, else the meta group's own name (never a server that happened
  // to answer first: a leaf cluster's servers answer too).
  if (!snap.cluster)
    snap.cluster =
      members.find((r) => r.data?.meta_cluster?.name)?.data?.meta_cluster?.name ??
      snap.servers.find((s) => s.cluster)?.cluster;
  if (replies.length === 0) {
    snap.blind = `no server answered $SYS.REQ.SERVER.PING.JSZ within ${o.timeoutMs} ms (are these system-account credentials?)`;
    return snap;
  }
  if (homeReplies.length === 0 && replies.some(ok)) {
    snap.blind = `no server of the monitored cluster answered $SYS.REQ.SERVER.PING.JSZ within ${o.timeoutMs} ms (only servers of other JetStream domains did)`;
    return snap;
  }
  // Only the meta leader's own reply shows the peers reliably (the home group's leader).
  const leaderReply = members.find((r) => r.data?.meta_cluster?.leader && r.data.meta_cluster.leader === r.server.name);
  const mc = leaderReply?.data?.meta_cluster;
  if (leaderReply && mc)
    snap.leaderView = {
      leader: leaderReply.server.name,
      clusterSize: num(mc.cluster_size, 1),
      peers: parsePeers(mc.replicas),
    };
  return snap;
}

export async function collectMeta(nc: NatsConnection, o: MetaCollectOptions): Promise<MetaSnapshot> {
  const now = o.now ?? Date.now;
  const collectedAt = now();
  // The connected server's INFO names its JetStream domain when it has one: none there means none.
  const connectedDomain = nc.info ? ((nc.info as { domain?: string }).domain ?? "") : undefined;
  const jsz = await sysFanout<JszWire>(
    nc,
    "$SYS.REQ.SERVER.PING.JSZ",
    {},
    {
      timeoutMs: o.timeoutMs,
      stats: o.stats,
      expected: (replies) => expectedServers(replies as SysEnvelope<JszWire>[], o.expectedServers, connectedDomain),
    },
  );
  const p: Parameters<typeof parseMetaReplies>[1] = { collectedAt, timeoutMs: o.timeoutMs, stats: o.stats };
  if (connectedDomain !== undefined) p.connectedDomain = connectedDomain;
  if (o.clusterLabel) p.clusterLabel = o.clusterLabel;
  if (o.expectedServers) p.expectedServers = o.expectedServers;
  const snap = parseMetaReplies(jsz.replies, p);
  snap.problems.unshift(...jsz.undecodable.map((u) => `undecodable JSZ reply: ${u}`));
  if (snap.blind) return snap;

  // Elections counted by Raft term, where every answering server supports RAFTZ (2.10.17+).
  if (snap.servers.length && snap.servers.every((s) => versionAtLeast(s.version, "2.10.17"))) {
    try {
      // Servers of other JetStream domains answer too (a leaf cluster has a `_meta_` group of its
      // own): wait for this group's servers and read only their replies.
      const members = new Set(snap.servers.map((s) => s.name));
      const mine = (replies: readonly SysEnvelope<unknown>[]) => replies.filter((r) => members.has(r?.server?.name));
      const raft = await sysFanout<RaftzWire>(
        nc,
        "$SYS.REQ.SERVER.PING.RAFTZ",
        {},
        {
          timeoutMs: o.timeoutMs,
          stats: o.stats,
          expected: (replies) => (mine(replies).length >= members.size ? replies.length : undefined),
        },
      );
      const term = metaTerm(mine(raft.replies) as SysEnvelope<RaftzWire>[]);
      if (term) snap.raft = term;
    } catch (e) {
      snap.problems.push(`RAFTZ request failed: ${(e as Error).message}`);
    }
  }
  return snap;
}
