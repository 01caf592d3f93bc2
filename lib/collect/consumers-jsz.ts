// System mode: every consumer of every account from one `$SYS.REQ.SERVER.PING.JSZ` fan-out per page
// of accounts (`consumer: true`), never a request per consumer or per stream.
//
// Each server reports the consumers it holds, each from its own view. Only the server leading the
// consumer's Raft group has the right one: a follower reports its peers as `current: false,
// active: 0` and, on 2.15, `num_pending: 0`. A consumer's leader is often not its stream's leader,
// and `stream_leader_only` makes every other server drop the stream with all its consumers (an R1
// consumer placed elsewhere vanishes): so the fan-out never asks for it (docs/consumers.md).
import type { FanoutOptions } from "./fanout-options.ts";
import type { ClusterInfo, ConsumerConfig } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { sysFanout } from "../nats/fanout.ts";
import type { RequestStats } from "../nats/stats.ts";
import type { JszWire, StreamDetailWire, SysEnvelope } from "../nats/wire.ts";
import type { ConsumerGap, ConsumersSnapshot, ConsumerView, SeqPair } from "../snapshot/consumers.ts";
import { consumerKey } from "../snapshot/consumers.ts";
import type { AnsweringServer } from "../snapshot/streams.ts";
import { parsePeers } from "./peers.ts";
import { num, time, type EntrySource } from "./values.ts";
import { byLocale } from "../core/collate.ts";

export const DEFAULT_CONSUMER_ACCOUNTS_PER_PAGE = 256;
const MAX_PAGES = 10_000;
const MIN_PAGE_WAIT_MS = 250;

interface SeqWire {
  consumer_seq?: number;
  stream_seq?: number;
  last_active?: string;
}

/** A consumer as JSZ sends it (`consumer_detail[]`): ConsumerInfo, with fields older servers omit. */
export interface ConsumerDetailWire {
  stream_name?: string;
  name?: string;
  created?: string;
  config?: Partial<ConsumerConfig> & {
    pause_until?: string;
    priority_policy?: string;
    metadata?: Record<string, string>;
  };
  delivered?: SeqWire;
  ack_floor?: SeqWire;
  num_ack_pending?: number;
  num_redelivered?: number;
  num_waiting?: number;
  num_pending?: number;
  cluster?: ClusterInfo;
  push_bound?: boolean;
  paused?: boolean;
  ts?: string;
}

type StreamWithConsumers = StreamDetailWire & { consumer_detail?: ConsumerDetailWire[] };

export interface ConsumersCollectOptions extends FanoutOptions {
  accountsPerPage?: number;
}

/** Who a consumer is: all a follower's entry needs when another server leads it. */
type ConsumerId = Pick<ConsumerView, "account" | "stream" | "name" | "domain">;

/**
 * One server's entry for a consumer: enough to choose the leader's. Only an entry that can be
 * chosen (its server leads, or nobody is named as leader) carries a view: a follower's view is
 * never used, and building one for every follower of every R3 consumer was most of the fold's
 * garbage.
 */
interface Entry {
  server: string;
  leader?: string;
  solitary: boolean;
  id: ConsumerId;
  view?: ConsumerView;
}

function seq(w: SeqWire | undefined, serverNow: number | undefined): SeqPair {
  const p: SeqPair = { consumerSeq: num(w?.consumer_seq), streamSeq: num(w?.stream_seq) };
  const at = time(w?.last_active);
  if (at !== undefined && serverNow !== undefined) p.agoMs = Math.max(0, serverNow - at);
  return p;
}

/** One consumer entry as a view, from the server that sent it. */
export function consumerView(
  d: ConsumerDetailWire,
  s: StreamWithConsumers,
  where: EntrySource,
  status: ConsumerView["status"],
): ConsumerView {
  const cfg = d.config ?? {};
  const peers = parsePeers(d.cluster?.replicas);
  const serverNow = time(d.ts) ?? where.serverNow;
  const v: ConsumerView = {
    account: where.account,
    stream: String(d.stream_name ?? s.name),
    name: String(d.name ?? cfg.durable_name ?? cfg.name ?? ""),
    durable: typeof cfg.durable_name === "string" && cfg.durable_name !== "",
    replicas: status === "led" ? peers.length + 1 : Math.max(1, peers.length),
    status,
    peers,
    holders: [where.reportedBy],
    delivered: seq(d.delivered, serverNow),
    ackFloor: seq(d.ack_floor, serverNow),
    numPending: num(d.num_pending),
    numAckPending: num(d.num_ack_pending),
    numRedelivered: num(d.num_redelivered),
    numWaiting: num(d.num_waiting),
    paused: d.paused === true,
    filtered: Boolean(cfg.filter_subject) || (Array.isArray(cfg.filter_subjects) && cfg.filter_subjects.length > 0),
    reportedBy: where.reportedBy,
  };
  if (where.domain) v.domain = where.domain;
  const cluster = d.cluster?.name ?? where.cluster;
  if (cluster) v.cluster = cluster;
  if (status === "led") v.leader = d.cluster?.leader ?? where.reportedBy;
  const map = num(cfg.max_ack_pending, -1);
  if (map > 0) v.maxAckPending = map;
  if (typeof cfg.ack_policy === "string") v.ackPolicy = cfg.ack_policy;
  if (typeof cfg.deliver_subject === "string" && cfg.deliver_subject) v.deliverSubject = cfg.deliver_subject;
  // Servers before 2.11 send no `paused`; a pause_until still ahead on the server's clock says it too.
  const until = time(cfg.pause_until);
  if (!v.paused && until !== undefined && serverNow !== undefined && until > serverNow) v.paused = true;
  if (typeof cfg.priority_policy === "string" && cfg.priority_policy) v.priorityPolicy = cfg.priority_policy;
  const start = num(cfg.opt_start_seq);
  if (start > 0) v.optStartSeq = start;
  if (cfg.metadata && typeof cfg.metadata === "object") v.metadata = { ...cfg.metadata };
  if (s.state && typeof s.state.first_seq === "number") v.streamFirstSeq = s.state.first_seq;
  if (s.state && typeof s.state.last_seq === "number") v.streamLastSeq = s.state.last_seq;
  return v;
}

/** Servers that should answer: each domain's meta group size plus servers without clustering. */
function expectedServers(sizes: ReadonlyMap<string, number>, standalone: number, known: number): number {
  let total = standalone;
  for (const n of sizes.values()) total += n;
  return Math.max(total, known);
}

/** Folds JSZ replies one at a time into per-consumer entries; `finish` makes the snapshot (pure). */
export class ConsumerFold {
  private readonly problems: string[] = [];
  private readonly answered = new Map<string, AnsweringServer>();
  private readonly entries = new Map<string, Entry[]>();
  private readonly referenced = new Set<string>();
  private readonly metaGroups = new Map<string, { name?: string; size: number }>();
  private standalone = 0;

  add(env: SysEnvelope<JszWire>): SysEnvelope<JszWire> {
    const name = env?.server?.name;
    if (!name) {
      this.problems.push("a JSZ reply without a server name was ignored");
      return env;
    }
    if (env.error) {
      this.problems.push(`${name} answered JSZ with error ${env.error.code}: ${env.error.description ?? ""}`.trim());
      return env;
    }
    const first = !this.answered.has(name);
    if (first) {
      const a: AnsweringServer = { name, version: env.server.ver };
      if (env.server.cluster) a.cluster = env.server.cluster;
      if (env.server.domain) a.domain = env.server.domain;
      this.answered.set(name, a);
    }
    const d = env.data;
    if (!d || d.disabled) return { server: env.server };
    const domain = env.server.domain || undefined;
    if (d.meta_cluster) {
      const g = this.metaGroups.get(domain ?? "") ?? { size: 0 };
      g.size = Math.max(g.size, num(d.meta_cluster.cluster_size, 1));
      if (!g.name && d.meta_cluster.name) g.name = d.meta_cluster.name;
      this.metaGroups.set(domain ?? "", g);
    } else if (first) this.standalone++;
    const serverNow = time(d.now);
    const cluster = env.server.cluster || undefined;
    for (const acc of d.account_details ?? []) {
      for (const s of (acc.stream_detail ?? []) as StreamWithConsumers[]) {
        for (const cd of s.consumer_detail ?? []) {
          if (!cd?.name) continue;
          const k = consumerKey({ domain, account: acc.name, stream: cd.stream_name ?? s.name, name: cd.name });
          const list = this.entries.get(k) ?? [];
          if (list.some((x) => x.server === name)) continue; // pages can overlap
          const c = cd.cluster;
          const solitary = !c?.leader && !c?.name && !c?.replicas?.length;
          const status = c?.leader || solitary ? "led" : "leaderless";
          const id: ConsumerId = { account: acc.name, stream: String(cd.stream_name ?? s.name), name: cd.name };
          if (domain) id.domain = domain;
          const e: Entry = { server: name, solitary, id };
          if (!c?.leader || c.leader === name)
            e.view = consumerView(cd, s, { account: acc.name, domain, cluster, reportedBy: name, serverNow }, status);
          if (c?.leader) {
            e.leader = c.leader;
            this.referenced.add(c.leader);
          }
          for (const p of c?.replicas ?? []) if (p?.name) this.referenced.add(p.name);
          list.push(e);
          this.entries.set(k, list);
        }
      }
    }
    // Only counts and names are needed from here on: the consumer details are folded.
    return { server: env.server };
  }

  finish(o: {
    collectedAt: number;
    clusterLabel?: string | undefined;
    connectedDomain?: string;
    knownServers?: readonly string[];
    timeoutMs: number;
    stats: RequestStats;
  }): ConsumersSnapshot {
    const snap: ConsumersSnapshot = {
      collectedAt: o.collectedAt,
      cluster: o.clusterLabel,
      stats: o.stats,
      mode: "system",
      servers: [...this.answered.values()].sort((a, b) => byLocale(a.name, b.name)),
      silent: [],
      consumers: [],
      gaps: [],
      problems: [...this.problems],
      pages: 0,
    };
    const home =
      o.connectedDomain ?? [...this.metaGroups.entries()].sort((a, b) => b[1].size - a[1].size)[0]?.[0] ?? "";
    if (home) snap.domain = home;
    if (!snap.cluster)
      snap.cluster =
        this.metaGroups.get(home)?.name ?? snap.servers.find((s) => (s.domain ?? "") === home && s.cluster)?.cluster;
    if (this.answered.size === 0) {
      snap.blind = `no server answered $SYS.REQ.SERVER.PING.JSZ within ${o.timeoutMs} ms (are these system-account credentials?)`;
      return snap;
    }
    const chosen: [string, ConsumerView][] = [];
    for (const [key, list] of this.entries) {
      if (list.length > 1) list.sort((a, b) => byLocale(a.server, b.server));
      const holders = list.map((e) => e.server);
      const leading = list.filter((e) => (e.leader ? e.leader === e.server : list.length === 1 && e.solitary));
      const first = list[0]!;
      if (leading.length) {
        const view = leading[0]!.view!;
        if (leading.length > 1)
          snap.problems.push(
            `${view.account} > ${view.stream} > ${view.name}: ${leading.map((e) => e.server).join(" and ")} each claim to lead it; using ${view.reportedBy}'s view`,
          );
        view.holders = holders;
        chosen.push([key, view]);
        continue;
      }
      const named = [...new Set(list.map((e) => e.leader).filter((l): l is string => !!l))];
      if (!named.length) {
        // Nobody leads it: one holder's view (every entry has one: none names a leader), every holder named.
        const v = first.view!;
        v.status = "leaderless";
        delete v.leader;
        v.holders = holders;
        chosen.push([key, v]);
        continue;
      }
      const silentLeader = named.find((l) => !this.answered.has(l));
      const v = first.id;
      const gap: ConsumerGap = {
        account: v.account,
        stream: v.stream,
        name: v.name,
        reason: silentLeader
          ? `its leader ${silentLeader} did not answer`
          : `${named.join(", ")} answered without it (leadership changing during the run)`,
      };
      if (v.domain) gap.domain = v.domain;
      snap.gaps.push(gap);
    }
    // Sorted by the keys the fold already made, not keys rebuilt in the comparator.
    snap.consumers = chosen.sort((a, b) => byLocale(a[0], b[0])).map(([, v]) => v);
    const known = new Set([...(o.knownServers ?? []), ...this.referenced, ...this.answered.keys()]);
    snap.silent = [...known].filter((n) => !this.answered.has(n)).sort();
    snap.expectedServers = Math.max(
      expectedServers(new Map([...this.metaGroups].map(([k, g]) => [k, g.size])), this.standalone, 0),
      known.size,
    );
    return snap;
  }

  /** Servers the replies so far say should answer (meta group sizes, standalone servers). */
  expected(known: number): number {
    return expectedServers(new Map([...this.metaGroups].map(([k, g]) => [k, g.size])), this.standalone, known);
  }
}

/** Turns captured JSZ replies into a snapshot (pure: fixture tests feed them). */
export function parseConsumerReplies(
  replies: readonly SysEnvelope<JszWire>[],
  o: Parameters<ConsumerFold["finish"]>[0],
): ConsumersSnapshot {
  const fold = new ConsumerFold();
  for (const r of replies) fold.add(r);
  return fold.finish(o);
}

const accountCount = (r: SysEnvelope<JszWire>): number => r.data?.account_details?.length ?? 0;

export async function collectConsumersSystem(
  nc: NatsConnection,
  o: ConsumersCollectOptions,
): Promise<ConsumersSnapshot> {
  const now = o.now ?? Date.now;
  const collectedAt = now();
  const limit = o.accountsPerPage ?? DEFAULT_CONSUMER_ACCOUNTS_PER_PAGE;
  const fold = new ConsumerFold();
  const problems: string[] = [];
  const known = o.knownServers?.length ?? 0;
  let answering = 0;
  let pages = 0;
  let offset = 0;
  for (;;) {
    if (o.deadline !== undefined && now() >= o.deadline && pages > 0) {
      problems.push(
        `stopped after ${pages} JSZ page(s) at the run's deadline: accounts from offset ${offset} unchecked`,
      );
      break;
    }
    // `config` carries metadata, max_ack_pending, durable name, pause and priority policy.
    const body = { accounts: true, streams: true, consumer: true, config: true, offset, limit };
    const timeoutMs =
      o.deadline === undefined ? o.timeoutMs : Math.min(o.timeoutMs, Math.max(MIN_PAGE_WAIT_MS, o.deadline - now()));
    let full = 0;
    const page = await sysFanout<JszWire>(nc, "$SYS.REQ.SERVER.PING.JSZ", body, {
      timeoutMs,
      stats: o.stats,
      onReply: (r) => {
        if (accountCount(r) >= limit) full++;
        return fold.add(r);
      },
      expected: () => (pages > 0 ? answering : known ? fold.expected(known) : undefined),
    });
    pages++;
    problems.push(...page.undecodable.map((u) => `undecodable JSZ reply: ${u}`));
    if (pages === 1) answering = page.replies.length;
    else if (page.replies.length < answering)
      problems.push(`JSZ page at offset ${offset}: ${page.replies.length} of ${answering} servers answered`);
    if (!full || page.replies.length === 0) break;
    if (pages >= MAX_PAGES) {
      problems.push(`stopped after ${MAX_PAGES} JSZ pages`);
      break;
    }
    // The server sorts accounts by name only when offset > 0 (see the streams collector).
    offset = offset === 0 ? 1 : offset + limit;
  }
  const p: Parameters<ConsumerFold["finish"]>[0] = { collectedAt, timeoutMs: o.timeoutMs, stats: o.stats };
  if (o.clusterLabel) p.clusterLabel = o.clusterLabel;
  if (nc.info) p.connectedDomain = (nc.info as { domain?: string }).domain ?? "";
  if (o.knownServers) p.knownServers = o.knownServers;
  const snap = fold.finish(p);
  snap.problems.unshift(...problems);
  snap.pages = pages;
  return snap;
}
