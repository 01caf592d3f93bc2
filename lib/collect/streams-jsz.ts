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
import type { JszWire, StreamDetailWire, SysEnvelope } from "../nats/wire.ts";
import type { AnsweringServer, StreamGap, StreamsSnapshot } from "../snapshot/streams.ts";
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

interface Entry {
  server: string;
  account: string;
  domain?: string;
  cluster?: string;
  serverNow?: number;
  detail: StreamDetailWire;
}

export interface JszParseOptions {
  collectedAt: number;
  clusterLabel?: string;
  /** Domain of the server the monitor is connected to (its INFO says). */
  connectedDomain?: string;
  knownServers?: readonly string[];
  timeoutMs: number;
  stats: RequestStats;
  streamLeaderOnly?: boolean;
}

/** Turns the JSZ replies of every page into a snapshot (pure: fixture tests feed captured replies). */
export function parseJszReplies(replies: readonly SysEnvelope<JszWire>[], o: JszParseOptions): StreamsSnapshot {
  const snap: StreamsSnapshot = {
    collectedAt: o.collectedAt, cluster: o.clusterLabel, stats: o.stats, mode: "system",
    servers: [], silent: [], streams: [], gaps: [], problems: [], pages: 0,
  };
  if (o.streamLeaderOnly) snap.streamLeaderOnly = true;
  const answered = new Map<string, AnsweringServer>();
  const entries = new Map<string, Entry[]>();
  const referenced = new Set<string>();
  for (const env of replies) {
    const name = env?.server?.name;
    if (!name) {
      snap.problems.push("a JSZ reply without a server name was ignored");
      continue;
    }
    if (env.error) {
      snap.problems.push(`${name} answered JSZ with error ${env.error.code}: ${env.error.description ?? ""}`.trim());
      continue;
    }
    if (!answered.has(name)) {
      const a: AnsweringServer = { name, version: env.server.ver };
      if (env.server.cluster) a.cluster = env.server.cluster;
      if (env.server.domain) a.domain = env.server.domain;
      answered.set(name, a);
    }
    const d = env.data;
    if (!d || d.disabled) continue;
    if (d.meta_cluster?.leader === name) for (const p of d.meta_cluster.replicas ?? []) if (p?.name) referenced.add(p.name);
    const serverNow = time(d.now);
    for (const acc of d.account_details ?? []) {
      for (const detail of acc.stream_detail ?? []) {
        if (!detail?.name) continue;
        const e: Entry = { server: name, account: acc.name, detail };
        if (env.server.domain) e.domain = env.server.domain;
        if (env.server.cluster) e.cluster = env.server.cluster;
        if (serverNow !== undefined) e.serverNow = serverNow;
        const k = streamKey({ domain: e.domain, account: e.account, name: detail.name });
        const list = entries.get(k) ?? [];
        // Pages can overlap (see collectStreamsSystem): one entry per server.
        if (!list.some((x) => x.server === name)) list.push(e);
        entries.set(k, list);
      }
    }
  }
  snap.servers = [...answered.values()].sort((a, b) => a.name.localeCompare(b.name));
  snap.domain = o.connectedDomain ?? mostCommonDomain(snap.servers);
  if (!snap.cluster) snap.cluster = snap.servers.find((s) => s.domain === snap.domain && s.cluster)?.cluster ?? snap.servers.find((s) => s.cluster)?.cluster;
  if (answered.size === 0) {
    snap.blind = `no server answered $SYS.REQ.SERVER.PING.JSZ within ${o.timeoutMs} ms (are these system-account credentials?)`;
    return snap;
  }

  for (const list of entries.values()) {
    list.sort((a, b) => a.server.localeCompare(b.server));
    for (const e of list) {
      for (const p of e.detail.cluster?.replicas ?? []) if (p?.name) referenced.add(p.name);
      if (e.detail.cluster?.leader) referenced.add(e.detail.cluster.leader);
    }
    const where = (e: Entry) => ({ account: e.account, domain: e.domain, cluster: e.cluster, reportedBy: e.server, serverNow: e.serverNow });
    const leading = list.filter((e) => isLeaderEntry(e, list.length));
    const first = list[0]!;
    if (leading.length) {
      leading.sort((a, b) => (time(b.detail.cluster?.leader_since) ?? 0) - (time(a.detail.cluster?.leader_since) ?? 0));
      const chosen = leading[0]!;
      if (leading.length > 1) snap.problems.push(`${first.account} > ${first.detail.name}: ${leading.map((e) => e.server).join(" and ")} each claim to lead it; using ${chosen.server}'s view`);
      const v = streamView(chosen.detail, where(chosen), "led");
      v.holders = list.map((e) => e.server);
      snap.streams.push(v);
      continue;
    }
    const named = [...new Set(list.map((e) => e.detail.cluster?.leader).filter((l): l is string => !!l))];
    if (named.length === 0) {
      // Nobody leads it: each holder reports its own view; take one, name them all.
      const v = streamView(first.detail, where(first), "leaderless");
      v.holders = list.map((e) => e.server);
      snap.streams.push(v);
      continue;
    }
    const silentLeader = named.find((l) => !answered.has(l));
    const gap: StreamGap = {
      account: first.account,
      name: first.detail.name,
      reason: silentLeader
        ? `its leader ${silentLeader} did not answer`
        : `${named.join(", ")} answered without it (leadership changing during the run)`,
      unavailable: false,
    };
    if (first.domain) gap.domain = first.domain;
    snap.gaps.push(gap);
  }
  snap.streams.sort((a, b) => streamKey(a).localeCompare(streamKey(b)));

  for (const s of answered.keys()) referenced.add(s);
  const known = new Set([...(o.knownServers ?? []), ...referenced]);
  snap.silent = [...known].filter((n) => !answered.has(n)).sort();
  snap.expectedServers = Math.max(expectedServerCount(replies), known.size);
  return snap;
}

/** The leader's own entry: it names itself as leader, or it is the only entry and has no Raft group (no clustering). */
function isLeaderEntry(e: Entry, entries: number): boolean {
  const c = e.detail.cluster;
  if (c?.leader) return c.leader === e.server;
  return entries === 1 && !c?.name && !c?.replicas?.length;
}

function mostCommonDomain(servers: readonly AnsweringServer[]): string | undefined {
  const counts = new Map<string, number>();
  for (const s of servers) if (s.domain) counts.set(s.domain, (counts.get(s.domain) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** Account names of one server's page, in the order sent. */
const accountsOf = (r: SysEnvelope<JszWire>): string[] => (r.data?.account_details ?? []).map((a) => a.name);

interface Pages {
  replies: SysEnvelope<JszWire>[];
  problems: string[];
  pages: number;
}

/**
 * Servers holding streams that no reply shows them leading or following: under `stream_leader_only`
 * those streams are leaderless or led by a silent server, and only a full fan-out shows them.
 */
export function unaccountedHolders(replies: readonly SysEnvelope<JszWire>[]): string[] {
  const seen = new Map<string, Set<string>>();
  const note = (server: string, stream: string) => {
    let set = seen.get(server);
    if (!set) seen.set(server, (set = new Set()));
    set.add(stream);
  };
  const held = new Map<string, number | undefined>();
  for (const r of replies) {
    const name = r?.server?.name;
    if (!name || r.error || !r.data || r.data.disabled) continue;
    held.set(name, typeof r.data.streams === "number" ? r.data.streams : undefined);
    for (const acc of r.data.account_details ?? []) {
      for (const d of acc.stream_detail ?? []) {
        if (!d?.name) continue;
        const k = streamKey({ domain: r.server.domain, account: acc.name, name: d.name });
        note(name, k); // an entry of its own: older servers send followers' entries too
        if (d.cluster?.leader) note(d.cluster.leader, k);
        for (const p of d.cluster?.replicas ?? []) if (p?.name) note(p.name, k);
      }
    }
  }
  return [...held.entries()].filter(([server, count]) => count === undefined || count > (seen.get(server)?.size ?? 0)).map(([s]) => s).sort();
}

async function fetchPages(nc: NatsConnection, o: StreamsCollectOptions, leaderOnly: boolean): Promise<Pages> {
  const now = o.now ?? Date.now;
  const limit = o.accountsPerPage ?? DEFAULT_ACCOUNTS_PER_PAGE;
  const all: SysEnvelope<JszWire>[] = [];
  const problems: string[] = [];
  const known = o.knownServers?.length ?? 0;
  let answering = 0;
  let pages = 0;
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
      // Every server answers every page; the first page tells how many there are. Without an
      // earlier run's list, the first page waits out the timeout: a server outside the meta group
      // (a leaf domain's, joined over the system account) is counted by no one else's reply.
      expected: (replies) => (pages > 0 ? answering : known ? expectedServerCount(replies as SysEnvelope<JszWire>[], known) : undefined),
    });
    pages++;
    problems.push(...page.undecodable.map((u) => `undecodable JSZ reply: ${u}`));
    all.push(...page.replies);
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
  return { replies: all, problems, pages };
}

export async function collectStreamsSystem(nc: NatsConnection, o: StreamsCollectOptions): Promise<StreamsSnapshot> {
  const now = o.now ?? Date.now;
  const collectedAt = now();
  const leaderOnly = o.streamLeaderOnly ?? true;
  let got = await fetchPages(nc, o, leaderOnly);
  let pages = got.pages;
  let fullBecause: string[] = [];
  if (leaderOnly && got.replies.length) {
    fullBecause = unaccountedHolders(got.replies);
    if (fullBecause.length && (o.deadline === undefined || now() < o.deadline)) {
      got = await fetchPages(nc, o, false);
      pages += got.pages;
    }
  }
  const p: JszParseOptions = { collectedAt, timeoutMs: o.timeoutMs, stats: o.stats };
  if (o.clusterLabel) p.clusterLabel = o.clusterLabel;
  const domain = (nc.info as { domain?: string } | undefined)?.domain;
  if (domain) p.connectedDomain = domain;
  if (o.knownServers) p.knownServers = o.knownServers;
  if (leaderOnly && !fullBecause.length) p.streamLeaderOnly = true;
  const snap = parseJszReplies(got.replies, p);
  snap.problems.unshift(...got.problems);
  snap.pages = pages;
  if (fullBecause.length) snap.fullFanoutFor = fullBecause;
  return snap;
}
