// Folding JSZ replies into a streams snapshot (pure: no I/O, no clock; captured replies test it).
// A stream is taken from the entry of the server that leads it; a stream that servers hold but
// none leads is leaderless; a stream whose named leader did not answer is a gap.
import type { RequestStats } from "../nats/stats.ts";
import type { JszWire, SysEnvelope } from "../nats/wire.ts";
import type { AnsweringServer, StreamGap, StreamsSnapshot, StreamView } from "../snapshot/streams.ts";
import { streamKey } from "../snapshot/streams.ts";
import { HolderCount } from "./jsz-holders.ts";
import { num, streamView, time } from "./stream-parse.ts";
import { byLocale } from "../core/collate.ts";

/**
 * Servers that should answer the fan-out: each JetStream domain's meta group size, plus one for
 * each server without clustering, and never fewer than earlier runs knew.
 */
export function expectedServerCount(replies: readonly SysEnvelope<JszWire>[], known = 0): number {
  const groups = new Map<string, number>();
  let standalone = 0;
  for (const r of replies) {
    const mc = r?.data?.meta_cluster;
    if (mc) {
      const domain = r.server?.domain ?? "";
      groups.set(domain, Math.max(groups.get(domain) ?? 0, num(mc.cluster_size, 1)));
    } else if (r?.server?.name) standalone++;
  }
  let total = standalone;
  for (const n of groups.values()) total += n;
  return Math.max(total, known);
}

/**
 * One server's entry for a stream, compact: what choosing the leader's entry needs, and the view
 * itself only where the entry can be chosen (a follower naming another leader never is). The reply
 * it came from can then be dropped while later replies arrive.
 */
interface Entry {
  server: string;
  account: string;
  name: string;
  domain?: string;
  /** The leader the entry names, if any. */
  leader?: string;
  leaderSince?: number;
  /** No leader, no Raft group and no peers: the leader's entry when it is the only one (no clustering). */
  solitary: boolean;
  /**
   * The entry as a view: "led" when it names its own server as leader or is solitary, else
   * "leaderless"; absent for followers.
   */
  view?: StreamView;
}

/** A solitary entry's view, when other servers hold the stream too: nobody leads it. */
function asLeaderless(v: StreamView): StreamView {
  const { leader: _leader, leaderForMs: _leaderFor, ...rest } = v;
  return { ...rest, status: "leaderless" };
}

/** The leader's own entry: it names itself as leader, or it is the only entry and has no Raft group (no clustering). */
function isLeaderEntry(e: Entry, entries: number): boolean {
  if (e.leader) return e.leader === e.server;
  return entries === 1 && e.solitary;
}

/** What the fan-out keeps of a folded reply: enough to count servers and to page accounts. */
function slimReply(env: SysEnvelope<JszWire>): SysEnvelope<JszWire> {
  if (!env?.data || typeof env.data !== "object") return env;
  const { account_details, ...rest } = env.data;
  const slim: JszWire = { ...rest };
  if (Array.isArray(account_details)) slim.account_details = account_details.map((a) => ({ ...a, stream_detail: [] }));
  return { ...env, data: slim };
}

export interface JszParseOptions {
  collectedAt: number;
  clusterLabel?: string;
  /**
   * Domain of the server the monitor is connected to (its INFO says; "" when it has none): the
   * home domain. Absent (captured replies): the domain of the largest meta group that answered.
   */
  connectedDomain?: string;
  knownServers?: readonly string[];
  timeoutMs: number;
  stats: RequestStats;
  streamLeaderOnly?: boolean;
}

/**
 * Folds JSZ replies one at a time into compact per-stream entries, so a run holds at most one whole
 * parsed reply at once; `finish` turns what was folded into a snapshot. `parseJszReplies` is the
 * same over a list of replies.
 */
export class JszFold {
  private readonly problems: string[] = [];
  private readonly answered = new Map<string, AnsweringServer>();
  private readonly entries = new Map<string, Entry[]>();
  private readonly referenced = new Set<string>();
  private readonly slim: SysEnvelope<JszWire>[] = [];
  private readonly holders = new HolderCount();
  /** By JetStream domain ("" none): the meta group's name as its members report it, and its size. */
  private readonly metaGroups = new Map<string, { name?: string; size: number }>();

  /** Folds one reply in; returns the slim envelope to keep in its place. */
  add(env: SysEnvelope<JszWire>): SysEnvelope<JszWire> {
    const kept = slimReply(env);
    this.slim.push(kept);
    const name = env?.server?.name;
    if (!name) {
      this.problems.push("a JSZ reply without a server name was ignored");
      return kept;
    }
    if (env.error) {
      this.problems.push(`${name} answered JSZ with error ${env.error.code}: ${env.error.description ?? ""}`.trim());
      return kept;
    }
    if (!this.answered.has(name)) {
      const a: AnsweringServer = { name, version: env.server.ver };
      if (env.server.cluster) a.cluster = env.server.cluster;
      if (env.server.domain) a.domain = env.server.domain;
      this.answered.set(name, a);
    }
    const d = env.data;
    if (!d || d.disabled) return kept;
    // Holder accounting in the same pass over the entries (jsz-holders.ts), with the same keys.
    this.holders.holds(name, d.streams);
    if (d.meta_cluster) {
      const domainKey = env.server.domain ?? "";
      const group = this.metaGroups.get(domainKey) ?? { size: 0 };
      group.size = Math.max(group.size, num(d.meta_cluster.cluster_size, 1));
      if (!group.name && d.meta_cluster.name) group.name = d.meta_cluster.name;
      this.metaGroups.set(domainKey, group);
    }
    if (d.meta_cluster?.leader === name) {
      for (const p of d.meta_cluster.replicas ?? []) if (p?.name) this.referenced.add(p.name);
    }
    const serverNow = time(d.now);
    const domain = env.server.domain || undefined;
    const cluster = env.server.cluster || undefined;
    for (const acc of d.account_details ?? []) {
      for (const detail of acc.stream_detail ?? []) {
        if (!detail?.name) continue;
        const key = streamKey({ domain, account: acc.name, name: detail.name });
        this.holders.places(name, key, detail);
        const list = this.entries.get(key) ?? [];
        // Pages can overlap (see fetchPages): one entry per server.
        if (list.some((x) => x.server === name)) continue;
        const c = detail.cluster;
        const solitary = !c?.leader && !c?.name && !c?.replicas?.length;
        const e: Entry = { server: name, account: acc.name, name: detail.name, solitary };
        if (domain) e.domain = domain;
        if (c?.leader) e.leader = c.leader;
        const since = time(c?.leader_since);
        if (since !== undefined) e.leaderSince = since;
        if (!c?.leader || c.leader === name) {
          const where = { account: acc.name, domain, cluster, reportedBy: name, serverNow };
          e.view = streamView(detail, where, c?.leader || e.solitary ? "led" : "leaderless");
        }
        for (const p of c?.replicas ?? []) if (p?.name) this.referenced.add(p.name);
        if (c?.leader) this.referenced.add(c.leader);
        list.push(e);
        this.entries.set(key, list);
      }
    }
    return kept;
  }

  /** Without the connection's own domain (pure parsing of captured replies): the domain of the largest meta group. */
  private largestMetaGroupDomain(): string {
    const bySize = [...this.metaGroups.entries()].sort((a, b) => b[1].size - a[1].size || a[0].localeCompare(b[0]));
    return bySize[0]?.[0] ?? "";
  }

  /** Servers holding streams no folded reply shows them leading or following (see jsz-holders.ts). */
  unaccountedHolders(): string[] {
    return this.holders.unaccounted();
  }

  finish(o: JszParseOptions): StreamsSnapshot {
    const snap: StreamsSnapshot = {
      collectedAt: o.collectedAt,
      cluster: o.clusterLabel,
      stats: o.stats,
      mode: "system",
      servers: [],
      silent: [],
      streams: [],
      gaps: [],
      problems: [...this.problems],
      pages: 0,
    };
    if (o.streamLeaderOnly) snap.streamLeaderOnly = true;
    const { answered, referenced } = this;
    snap.servers = [...answered.values()].sort((a, b) => byLocale(a.name, b.name));
    // Identity must not depend on which servers answered this run: the home domain is the one of
    // the server the monitor is connected to ("" when it has none), never a vote among answering
    // servers (a single leaf server in its own domain would outvote a hub without one).
    const home = o.connectedDomain ?? this.largestMetaGroupDomain();
    if (home) snap.domain = home;
    if (!snap.cluster) {
      snap.cluster =
        this.metaGroups.get(home)?.name ?? snap.servers.find((s) => (s.domain ?? "") === home && s.cluster)?.cluster;
    }
    if (answered.size === 0) {
      snap.blind = `no server answered $SYS.REQ.SERVER.PING.JSZ within ${o.timeoutMs} ms (are these system-account credentials?)`;
      return snap;
    }

    // Each stream's key is computed once, as it was folded: sorting by it compares no rebuilt strings.
    const views: { key: string; view: StreamView }[] = [];
    for (const [key, list] of this.entries) {
      if (list.length > 1) list.sort((a, b) => byLocale(a.server, b.server));
      const leading = list.filter((e) => isLeaderEntry(e, list.length));
      const first = list[0]!;
      if (leading.length) {
        if (leading.length > 1) leading.sort((a, b) => (b.leaderSince ?? 0) - (a.leaderSince ?? 0));
        const chosen = leading[0]!;
        if (leading.length > 1) {
          const claimants = leading.map((e) => e.server).join(" and ");
          const stream = `${first.account} > ${first.name}`;
          snap.problems.push(`${stream}: ${claimants} each claim to lead it; using ${chosen.server}'s view`);
        }
        const v = chosen.view!;
        v.holders = list.map((e) => e.server);
        views.push({ key, view: v });
        continue;
      }
      const named = [...new Set(list.map((e) => e.leader).filter((l): l is string => !!l))];
      if (named.length === 0) {
        // Nobody leads it: each holder reports its own view; take one, name them all.
        const v = first.solitary ? asLeaderless(first.view!) : first.view!;
        v.holders = list.map((e) => e.server);
        views.push({ key, view: v });
        continue;
      }
      const silentLeader = named.find((l) => !answered.has(l));
      const gap: StreamGap = {
        account: first.account,
        name: first.name,
        reason: silentLeader
          ? `its leader ${silentLeader} did not answer`
          : `${named.join(", ")} answered without it (leadership changing during the run)`,
        unavailable: false,
      };
      if (first.domain) gap.domain = first.domain;
      snap.gaps.push(gap);
    }
    views.sort((a, b) => byLocale(a.key, b.key));
    snap.streams = views.map((x) => x.view);

    const known = new Set([...(o.knownServers ?? []), ...referenced, ...answered.keys()]);
    snap.silent = [...known].filter((n) => !answered.has(n)).sort();
    snap.expectedServers = Math.max(expectedServerCount(this.slim), known.size);
    return snap;
  }
}

/** Turns the JSZ replies of every page into a snapshot (pure: fixture tests feed captured replies). */
export function parseJszReplies(replies: readonly SysEnvelope<JszWire>[], o: JszParseOptions): StreamsSnapshot {
  const fold = new JszFold();
  for (const r of replies) fold.add(r);
  return fold.finish(o);
}
