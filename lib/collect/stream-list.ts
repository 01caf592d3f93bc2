// Account mode, for application credentials only (e.g. a hosted NATS service): `$JS.API.STREAM.LIST`
// pages of 256, which the meta leader fills by asking each stream leader. Streams it names as
// `missing` or `offline` become gaps that are findings.
import type { NatsConnection } from "@nats-io/transport-node";
import type { RequestStats } from "../nats/stats.ts";
import type { StreamListWire, SysEnvelope, UserInfoWire } from "../nats/wire.ts";
import type { AnsweringServer, StreamGap, StreamsSnapshot } from "../snapshot/streams.ts";
import { MAX_PAGES, num, streamView, time } from "./stream-parse.ts";
import type { StreamsCollectOptions } from "./streams.ts";

/** How account-mode findings name the account when the server will not say which it is. */
export const ACCOUNT_FALLBACK = "(this account)";

/**
 * How long the meta leader waits for each stream leader while it fills a STREAM.LIST page
 * (nats-server: 4 s, every version here): a page naming a silent stream leader answers no sooner.
 */
export const SERVER_LIST_WAIT_MS = 4000;

/**
 * The STREAM.LIST request timeout: what the server is known to wait plus the run's own request
 * timeout for the round trip, never past the run's deadline (yet never below the request timeout).
 */
export function streamListTimeoutMs(requestTimeoutMs: number, now: number, deadline?: number): number {
  const wanted = SERVER_LIST_WAIT_MS + requestTimeoutMs;
  if (deadline === undefined) return wanted;
  return Math.max(requestTimeoutMs, Math.min(wanted, deadline - now));
}

/** `$SYS.REQ.ACCOUNT.PING.STATZ` as any user may ask it: statistics of the asker's own account. */
interface AccountStatzWire {
  account_statz?: { acc?: string; name?: string }[];
}

/** `$JS.API.STREAM.NAMES`: the meta leader answers from its own assignments, without asking stream leaders. */
interface StreamNamesWire {
  error?: { code: number; err_code?: number; description?: string };
  total?: number;
  streams?: string[] | null;
}

export interface StreamListParseOptions {
  collectedAt: number;
  clusterLabel?: string;
  account: string;
  /** The server the connection is attached to: it answers for a stream without clustering. */
  server: AnsweringServer;
  /** The account could not be named ($SYS.REQ.USER.INFO and the account STATZ both unanswered). */
  accountUnresolved?: boolean;
  stats: RequestStats;
}

/** Turns STREAM.LIST pages into a snapshot (pure). */
export function parseStreamList(pages: readonly StreamListWire[], o: StreamListParseOptions): StreamsSnapshot {
  const snap: StreamsSnapshot = {
    collectedAt: o.collectedAt,
    cluster: o.clusterLabel ?? o.server.cluster,
    stats: o.stats,
    mode: "account",
    servers: [o.server],
    silent: [],
    streams: [],
    gaps: [],
    problems: [],
    pages: pages.length,
  };
  if (o.server.domain) snap.domain = o.server.domain;
  if (o.accountUnresolved) snap.accountUnresolved = true;
  const seen = new Set<string>();
  const missing = new Map<string, string>();
  for (const page of pages) {
    for (const si of page.streams ?? []) {
      const name = si.config?.name;
      if (!name || seen.has(name)) continue;
      seen.add(name);
      const leader = si.cluster?.leader;
      const clustered =
        Boolean(si.cluster?.replicas?.length) ||
        si.cluster?.leader !== undefined ||
        num(si.config?.num_replicas, 1) > 1;
      const status = leader || !clustered ? "led" : "leaderless";
      const reportedBy = leader ?? (clustered ? "(stream listing)" : o.server.name);
      const serverNow = time(si.ts) ?? o.collectedAt;
      const v = streamView(
        { ...si, name },
        { account: o.account, domain: o.server.domain, cluster: o.server.cluster, reportedBy, serverNow },
        status,
      );
      if (status === "leaderless") v.holders = [];
      snap.streams.push(v);
    }
    for (const n of page.missing ?? []) missing.set(n, "the listing got no answer from its leader in time (missing)");
    for (const [n, why] of Object.entries(page.offline ?? {})) missing.set(n, `offline: ${why}`);
  }
  for (const [name, reason] of missing) {
    if (seen.has(name)) continue; // already judged from what the listing returned
    const g: StreamGap = { account: o.account, name, reason, unavailable: true };
    if (o.server.domain) g.domain = o.server.domain;
    snap.gaps.push(g);
  }
  snap.streams.sort((a, b) => a.name.localeCompare(b.name));
  return snap;
}

const apiError = (r: StreamListWire): string | undefined =>
  r.error ? `${r.error.description ?? "error"} (${r.error.code}/${r.error.err_code})` : undefined;

async function requestJson<T>(
  nc: NatsConnection,
  subject: string,
  body: unknown,
  o: StreamsCollectOptions,
): Promise<T> {
  o.stats.requests++;
  const m = await nc.request(subject, body === undefined ? "" : JSON.stringify(body), { timeout: o.timeoutMs });
  o.stats.bytesReceived += m.data.length;
  o.stats.bytesDecoded += m.data.length;
  return m.json<T>();
}

export async function collectStreamsAccount(nc: NatsConnection, o: StreamsCollectOptions): Promise<StreamsSnapshot> {
  const now = o.now ?? Date.now;
  const collectedAt = now();
  const info = (nc.info ?? {}) as { server_name?: string; version?: string; cluster?: string; domain?: string };
  const server: AnsweringServer = { name: info.server_name ?? "(connected server)", version: info.version ?? "" };
  if (info.cluster) server.cluster = info.cluster;
  if (info.domain) server.domain = info.domain;
  const problems: string[] = [];

  // Which account these credentials are, so findings name it and account-scoped overrides match.
  // $SYS.REQ.USER.INFO (2.10+); before that, the account's own STATZ (any user may ask; 2.9 too).
  // Neither answering (permissions deny both): "(this account)", and the snapshot says so.
  const quick = { ...o, timeoutMs: Math.min(o.timeoutMs, 1000) };
  let account: string | undefined;
  try {
    const who = await requestJson<SysEnvelope<UserInfoWire>>(nc, "$SYS.REQ.USER.INFO", undefined, quick);
    account = who.data?.account_name ?? who.data?.account;
  } catch {
    // denied, or a server before 2.10 (no responders)
  }
  if (!account) {
    try {
      const statz = await requestJson<SysEnvelope<AccountStatzWire>>(nc, "$SYS.REQ.ACCOUNT.PING.STATZ", {}, quick);
      const accs = statz.data?.account_statz ?? [];
      if (accs.length === 1) account = accs[0]!.name ?? accs[0]!.acc;
    } catch {
      // denied or unanswered
    }
  }

  const pages: StreamListWire[] = [];
  let offset = 0;
  const base: StreamListParseOptions = { collectedAt, account: account ?? ACCOUNT_FALLBACK, server, stats: o.stats };
  if (!account) base.accountUnresolved = true;
  if (o.clusterLabel) base.clusterLabel = o.clusterLabel;
  for (;;) {
    if (o.deadline !== undefined && now() >= o.deadline && pages.length > 0) {
      problems.push(
        `stopped after ${pages.length} STREAM.LIST page(s) at the run's deadline: streams from offset ${offset} unchecked`,
      );
      break;
    }
    let page: StreamListWire;
    // The meta leader answers a page only once every stream leader on it answered or it gave up
    // on them (4 s): a request timeout shorter than that turns one hung server into a blind run.
    const timeoutMs = streamListTimeoutMs(o.timeoutMs, now(), o.deadline);
    try {
      // Only `offset`: 2.12+ servers reject fields they do not know.
      page = await requestJson<StreamListWire>(nc, "$JS.API.STREAM.LIST", { offset }, { ...o, timeoutMs });
    } catch (e) {
      const why = `$JS.API.STREAM.LIST at offset ${offset} got no answer within ${timeoutMs} ms: ${(e as Error).message}`;
      if (pages.length === 0) {
        // Late, not blind, when the JetStream API still answers: name the streams, judge none.
        const late = await unjudgedNames(nc, o, base, why);
        if (late) return late;
        return { ...parseStreamList([], base), blind: why, problems: [...problems, why] };
      }
      problems.push(why);
      break;
    }
    const err = apiError(page);
    if (err) {
      const why = `$JS.API.STREAM.LIST at offset ${offset} answered ${err}`;
      if (pages.length === 0) return { ...parseStreamList([], base), blind: why, problems: [...problems, why] };
      problems.push(why);
      break;
    }
    pages.push(page);
    const got = page.streams?.length ?? 0;
    offset += got;
    if (got === 0 || offset >= num(page.total) || pages.length >= MAX_PAGES) break;
  }
  const snap = parseStreamList(pages, base);
  snap.problems.unshift(...problems);
  return snap;
}

/**
 * After a STREAM.LIST that got no answer: `$JS.API.STREAM.NAMES`, which the meta leader answers
 * from its own assignments. When it answers, the run is partial (each stream listed as not judged,
 * its alerts kept), not blind; when it does not either, undefined (the JetStream API is not answering).
 */
async function unjudgedNames(
  nc: NatsConnection,
  o: StreamsCollectOptions,
  base: StreamListParseOptions,
  why: string,
): Promise<StreamsSnapshot | undefined> {
  const names: string[] = [];
  let offset = 0;
  try {
    for (let i = 0; i < MAX_PAGES; i++) {
      const r = await requestJson<StreamNamesWire>(nc, "$JS.API.STREAM.NAMES", { offset }, o);
      if (r.error) return undefined;
      const got = r.streams ?? [];
      names.push(...got);
      offset += got.length;
      if (got.length === 0 || offset >= num(r.total)) break;
    }
  } catch {
    return undefined;
  }
  const snap = parseStreamList([], base);
  snap.problems.push(
    `${why}; the stream names came from $JS.API.STREAM.NAMES, none of the ${names.length} stream(s) judged`,
  );
  for (const name of names) {
    const g: StreamGap = {
      account: base.account,
      name,
      reason: "the stream listing did not answer in time",
      unavailable: false,
    };
    if (base.server.domain) g.domain = base.server.domain;
    snap.gaps.push(g);
  }
  return snap;
}
