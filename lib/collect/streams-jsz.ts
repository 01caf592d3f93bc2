// System mode: one `$SYS.REQ.SERVER.PING.JSZ` fan-out per page of accounts (every server answers
// with its own streams), never a request per stream. A stream is taken from the entry of the server
// that leads it; a stream that servers hold but none leads is leaderless.
//
// The fan-out first asks for `stream_leader_only` (2.10.19+; older servers ignore it): replies a
// third the size, a third the parsing. With it a leaderless stream, or one led by a silent server,
// vanishes from every reply, so each answering server's count of the streams it holds (`streams`)
// is checked against the streams the replies show it leading or following; a server holding more
// than that makes the run ask again without the option, and judge from every server's entries.
import type { NatsConnection } from "@nats-io/transport-node";
import { sysFanout } from "../nats/fanout.ts";
import type { RequestStats } from "../nats/stats.ts";
import type { JszWire, SysEnvelope } from "../nats/wire.ts";
import type { AnsweringServer, StreamGap, StreamsSnapshot, StreamView } from "../snapshot/streams.ts";
import { streamKey } from "../snapshot/streams.ts";
import { MAX_PAGES, num, streamView, time } from "./stream-parse.ts";
import type { StreamsCollectOptions } from "./streams.ts";

export const DEFAULT_ACCOUNTS_PER_PAGE = 256;
const MIN_PAGE_WAIT_MS = 250;

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
      const k = r.server?.domain ?? "";
      groups.set(k, Math.max(groups.get(k) ?? 0, num(mc.cluster_size, 1)));
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
  /** The entry as a view: "led" when it names its own server as leader or is solitary, else "leaderless"; absent for followers. */
  view?: StreamView;
}

/** A solitary entry's view, when other servers hold the stream too: nobody leads it. */
function asLeaderless(v: StreamView): StreamView {
  const { leader: _leader, leaderForMs: _leaderFor, ...rest } = v;
  return { ...rest, status: "leaderless" };
}

/** What the fan-out keeps of a folded reply: enough to count servers and to page accounts. */
function slimReply(env: SysEnvelope<JszWire>): SysEnvelope<JszWire> {
  if (!env?.data || typeof env.data !== "object") return env;
  const { account_details, ...rest } = env.data;
  const slim: JszWire = { ...rest };
  if (Array.isArray(account_details)) slim.account_details = account_details.map((a) => ({ ...a, stream_detail: [] }));
  return { ...env, data: slim };
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
    this.holders.add(env);
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
    if (d.meta_cluster) {
      const k = env.server.domain ?? "";
      const g = this.metaGroups.get(k) ?? { size: 0 };
      g.size = Math.max(g.size, num(d.meta_cluster.cluster_size, 1));
      if (!g.name && d.meta_cluster.name) g.name = d.meta_cluster.name;
      this.metaGroups.set(k, g);
    }
    if (d.meta_cluster?.leader === name) for (const p of d.meta_cluster.replicas ?? []) if (p?.name) this.referenced.add(p.name);
    const serverNow = time(d.now);
    const domain = env.server.domain || undefined;
    const cluster = env.server.cluster || undefined;
    for (const acc of d.account_details ?? []) {
      for (const detail of acc.stream_detail ?? []) {
        if (!detail?.name) continue;
        const k = streamKey({ domain, account: acc.name, name: detail.name });
        const list = this.entries.get(k) ?? [];
        // Pages can overlap (see collectStreamsSystem): one entry per server.
        if (list.some((x) => x.server === name)) continue;
        const c = detail.cluster;
        const e: Entry = { server: name, account: acc.name, name: detail.name, solitary: !c?.leader && !c?.name && !c?.replicas?.length };
        if (domain) e.domain = domain;
        if (c?.leader) e.leader = c.leader;
        const since = time(c?.leader_since);
        if (since !== undefined) e.leaderSince = since;
        if (!c?.leader || c.leader === name) {
          e.view = streamView(detail, { account: acc.name, domain, cluster, reportedBy: name, serverNow }, c?.leader || e.solitary ? "led" : "leaderless");
        }
        for (const p of c?.replicas ?? []) if (p?.name) this.referenced.add(p.name);
        if (c?.leader) this.referenced.add(c.leader);
        list.push(e);
        this.entries.set(k, list);
      }
    }
    return kept;
  }

  /** Without the connection's own domain (pure parsing of captured replies): the domain of the largest meta group. */
  private largestMetaGroupDomain(): string {
    return [...this.metaGroups.entries()].sort((a, b) => b[1].size - a[1].size || a[0].localeCompare(b[0]))[0]?.[0] ?? "";
  }

  /** Servers holding streams no folded reply shows them leading or following (see `unaccountedHolders`). */
  unaccountedHolders(): string[] {
    return this.holders.unaccounted();
  }

  finish(o: JszParseOptions): StreamsSnapshot {
    const snap: StreamsSnapshot = {
      collectedAt: o.collectedAt, cluster: o.clusterLabel, stats: o.stats, mode: "system",
      servers: [], silent: [], streams: [], gaps: [], problems: [...this.problems], pages: 0,
    };
    if (o.streamLeaderOnly) snap.streamLeaderOnly = true;
    const { answered, referenced } = this;
    snap.servers = [...answered.values()].sort((a, b) => a.name.localeCompare(b.name));
    // Identity must not depend on which servers answered this run: the home domain is the one of
    // the server the monitor is connected to ("" when it has none), never a vote among answering
    // servers (a single leaf server in its own domain would outvote a hub without one).
    const home = o.connectedDomain ?? this.largestMetaGroupDomain();
    if (home) snap.domain = home;
    if (!snap.cluster) snap.cluster = this.metaGroups.get(home)?.name ?? snap.servers.find((s) => (s.domain ?? "") === home && s.cluster)?.cluster;
    if (answered.size === 0) {
      snap.blind = `no server answered $SYS.REQ.SERVER.PING.JSZ within ${o.timeoutMs} ms (are these system-account credentials?)`;
      return snap;
    }

    for (const list of this.entries.values()) {
      list.sort((a, b) => a.server.localeCompare(b.server));
      const leading = list.filter((e) => isLeaderEntry(e, list.length));
      const first = list[0]!;
      if (leading.length) {
        leading.sort((a, b) => (b.leaderSince ?? 0) - (a.leaderSince ?? 0));
        const chosen = leading[0]!;
        if (leading.length > 1) snap.problems.push(`${first.account} > ${first.name}: ${leading.map((e) => e.server).join(" and ")} each claim to lead it; using ${chosen.server}'s view`);
        const v = chosen.view!;
        v.holders = list.map((e) => e.server);
        snap.streams.push(v);
        continue;
      }
      const named = [...new Set(list.map((e) => e.leader).filter((l): l is string => !!l))];
      if (named.length === 0) {
        // Nobody leads it: each holder reports its own view; take one, name them all.
        const v = first.solitary ? asLeaderless(first.view!) : first.view!;
        v.holders = list.map((e) => e.server);
        snap.streams.push(v);
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
    snap.streams.sort((a, b) => streamKey(a).localeCompare(streamKey(b)));

    const known = new Set([...(o.knownServers ?? []), ...referenced, ...answered.keys()]);
    snap.silent = [...known].filter((n) => !answered.has(n)).sort();
    snap.expectedServers = Math.max(expectedServerCount(this.slim), known.size);
    return snap;
  }
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

/** Turns the JSZ replies of every page into a snapshot (pure: fixture tests feed captured replies). */
export function parseJszReplies(replies: readonly SysEnvelope<JszWire>[], o: JszParseOptions): StreamsSnapshot {
  const fold = new JszFold();
  for (const r of replies) fold.add(r);
  return fold.finish(o);
}

/** The leader's own entry: it names itself as leader, or it is the only entry and has no Raft group (no clustering). */
function isLeaderEntry(e: Entry, entries: number): boolean {
  if (e.leader) return e.leader === e.server;
  return entries === 1 && e.solitary;
}


/** Account names of one server's page, in the order sent. */
const accountsOf = (r: SysEnvelope<JszWire>): string[] => (r.data?.account_details ?? []).map((a) => a.name);

interface Pages {
  /** Every reply folded in as it arrived. */
  fold: JszFold;
  /** Replies received over every page. */
  received: number;
  problems: string[];
  pages: number;
}

/**
 * Servers holding streams that no reply shows them leading or following: under `stream_leader_only`
 * those streams are leaderless or led by a silent server, and only a full fan-out shows them.
 */
export function unaccountedHolders(replies: readonly SysEnvelope<JszWire>[]): string[] {
  const count = new HolderCount();
  for (const r of replies) count.add(r);
  return count.unaccounted();
}

/** `unaccountedHolders`, one reply at a time: per server, the streams it holds and those the replies place it in. */
class HolderCount {
  private readonly seen = new Map<string, Set<string>>();
  private readonly held = new Map<string, number | undefined>();

  private note(server: string, stream: string): void {
    let set = this.seen.get(server);
    if (!set) this.seen.set(server, (set = new Set()));
    set.add(stream);
  }

  add(r: SysEnvelope<JszWire>): void {
    const name = r?.server?.name;
    if (!name || r.error || !r.data || r.data.disabled) return;
    this.held.set(name, typeof r.data.streams === "number" ? r.data.streams : undefined);
    for (const acc of r.data.account_details ?? []) {
      for (const d of acc.stream_detail ?? []) {
        if (!d?.name) continue;
        const k = streamKey({ domain: r.server.domain, account: acc.name, name: d.name });
        this.note(name, k); // an entry of its own: older servers send followers' entries too
        if (d.cluster?.leader) this.note(d.cluster.leader, k);
        for (const p of d.cluster?.replicas ?? []) if (p?.name) this.note(p.name, k);
      }
    }
  }

  unaccounted(): string[] {
    return [...this.held.entries()].filter(([server, count]) => count === undefined || count > (this.seen.get(server)?.size ?? 0)).map(([s]) => s).sort();
  }
}

async function fetchPages(nc: NatsConnection, o: StreamsCollectOptions, leaderOnly: boolean): Promise<Pages> {
  const now = o.now ?? Date.now;
  const limit = o.accountsPerPage ?? DEFAULT_ACCOUNTS_PER_PAGE;
  const fold = new JszFold();
  const problems: string[] = [];
  const known = o.knownServers?.length ?? 0;
  let answering = 0;
  let pages = 0;
  let received = 0;
  // nats-server sorts accounts by name only when offset > 0: page 0 is an arbitrary subset. So
  // after a full page 0 the sorted pages start at offset 1, and the one account page 0 could have
  // missed (the first by name) is checked for below.
  const firstPage = new Map<string, string[]>();
  const secondPageFirst = new Map<string, string>();
  let offset = 0;
  for (;;) {
    if (o.deadline !== undefined && now() >= o.deadline && pages > 0) {
      problems.push(`stopped after ${pages} JSZ page(s) at the run's deadline: accounts from offset ${offset} unchecked`);
      break;
    }
    const body: Record<string, unknown> = { accounts: true, streams: true, config: true, offset, limit };
    if (leaderOnly) body.stream_leader_only = true;
    const page = await sysFanout<JszWire>(nc, "$SYS.REQ.SERVER.PING.JSZ", body, {
      // A page never waits past the run's deadline (but always gets a moment to be answered).
      timeoutMs: o.deadline === undefined ? o.timeoutMs : Math.min(o.timeoutMs, Math.max(MIN_PAGE_WAIT_MS, o.deadline - now())),
      stats: o.stats,
      // Each reply is folded into compact entries as it arrives; the fan-out keeps a slim envelope.
      onReply: (r) => fold.add(r),
      // Every server answers every page; the first page tells how many there are. Without an
      // earlier run's list, the first page waits out the timeout: a server outside the meta group
      // (a leaf domain's, joined over the system account) is counted by no one else's reply.
      expected: (replies) => (pages > 0 ? answering : known ? expectedServerCount(replies as SysEnvelope<JszWire>[], known) : undefined),
    });
    pages++;
    received += page.replies.length;
    problems.push(...page.undecodable.map((u) => `undecodable JSZ reply: ${u}`));
    if (pages === 1) answering = page.replies.length;
    else if (page.replies.length < answering) problems.push(`JSZ page at offset ${offset}: ${page.replies.length} of ${answering} servers answered`);
    const full = page.replies.filter((r) => r.server?.name && accountsOf(r).length >= limit);
    for (const r of page.replies) {
      if (offset === 0) firstPage.set(r.server.name, accountsOf(r));
      if (offset === 1 && accountsOf(r)[0]) secondPageFirst.set(r.server.name, accountsOf(r)[0]!);
    }
    if (!full.length || page.replies.length === 0) break;
    if (pages >= MAX_PAGES) {
      problems.push(`stopped after ${MAX_PAGES} JSZ pages`);
      break;
    }
    offset = offset === 0 ? 1 : offset + limit;
  }
  for (const [server, names] of firstPage) {
    const second = secondPageFirst.get(server);
    if (names.length >= limit && second !== undefined && !names.some((n) => n < second)) {
      problems.push(`${server}: its first account by name (before ${second}) may be unchecked: the server sorts accounts only for offset > 0; raise the page size above its account count`);
    }
  }
  return { fold, problems, pages, received };
}

export async function collectStreamsSystem(nc: NatsConnection, o: StreamsCollectOptions): Promise<StreamsSnapshot> {
  const now = o.now ?? Date.now;
  const collectedAt = now();
  const leaderOnly = o.streamLeaderOnly ?? true;
  let got = await fetchPages(nc, o, leaderOnly);
  let pages = got.pages;
  let fullBecause: string[] = [];
  if (leaderOnly && got.received) {
    fullBecause = got.fold.unaccountedHolders();
    if (fullBecause.length && (o.deadline === undefined || now() < o.deadline)) {
      got = await fetchPages(nc, o, false);
      pages += got.pages;
    }
  }
  const p: JszParseOptions = { collectedAt, timeoutMs: o.timeoutMs, stats: o.stats };
  if (o.clusterLabel) p.clusterLabel = o.clusterLabel;
  // The connected server's INFO names its domain when it has one: no domain there means none.
  if (nc.info) p.connectedDomain = (nc.info as { domain?: string }).domain ?? "";
  if (o.knownServers) p.knownServers = o.knownServers;
  if (leaderOnly && !fullBecause.length) p.streamLeaderOnly = true;
  const snap = got.fold.finish(p);
  snap.problems.unshift(...got.problems);
  snap.pages = pages;
  if (fullBecause.length) snap.fullFanoutFor = fullBecause;
  return snap;
}
