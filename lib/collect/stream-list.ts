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

export interface StreamListParseOptions {
  collectedAt: number;
  clusterLabel?: string;
  account: string;
  /** The server the connection is attached to: it answers for a stream without clustering. */
  server: AnsweringServer;
  stats: RequestStats;
}

/** Turns STREAM.LIST pages into a snapshot (pure). */
export function parseStreamList(pages: readonly StreamListWire[], o: StreamListParseOptions): StreamsSnapshot {
  const snap: StreamsSnapshot = {
    collectedAt: o.collectedAt, cluster: o.clusterLabel ?? o.server.cluster, stats: o.stats, mode: "account",
    servers: [o.server], silent: [], streams: [], gaps: [], problems: [], pages: pages.length,
  };
  if (o.server.domain) snap.domain = o.server.domain;
  const seen = new Set<string>();
  const missing = new Map<string, string>();
  for (const page of pages) {
    for (const si of page.streams ?? []) {
      const name = si.config?.name;
      if (!name || seen.has(name)) continue;
      seen.add(name);
      const leader = si.cluster?.leader;
      const clustered = Boolean(si.cluster?.replicas?.length) || si.cluster?.leader !== undefined || num(si.config?.num_replicas, 1) > 1;
      const status = leader || !clustered ? "led" : "leaderless";
      const reportedBy = leader ?? (clustered ? "(stream listing)" : o.server.name);
      const serverNow = time(si.ts) ?? o.collectedAt;
      const v = streamView({ ...si, name }, { account: o.account, domain: o.server.domain, cluster: o.server.cluster, reportedBy, serverNow }, status);
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

async function requestJson<T>(nc: NatsConnection, subject: string, body: unknown, o: StreamsCollectOptions): Promise<T> {
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

  // Which account these credentials are, so findings can name it. Only a label: a user whose
  // permissions deny this subject gets "(this account)" in its findings and nothing else changes.
  let account = ACCOUNT_FALLBACK;
  try {
    const who = await requestJson<SysEnvelope<UserInfoWire>>(nc, "$SYS.REQ.USER.INFO", undefined, { ...o, timeoutMs: Math.min(o.timeoutMs, 1000) });
    account = who.data?.account_name ?? who.data?.account ?? account;
  } catch {
    // denied or unanswered: keep the label
  }

  const pages: StreamListWire[] = [];
  let offset = 0;
  const base: StreamListParseOptions = { collectedAt, account, server, stats: o.stats };
  if (o.clusterLabel) base.clusterLabel = o.clusterLabel;
  for (;;) {
    if (o.deadline !== undefined && now() >= o.deadline && pages.length > 0) {
      problems.push(`stopped after ${pages.length} STREAM.LIST page(s) at the run's deadline: streams from offset ${offset} unchecked`);
      break;
    }
    let page: StreamListWire;
    try {
      // Only `offset`: 2.12+ servers reject fields they do not know.
      page = await requestJson<StreamListWire>(nc, "$JS.API.STREAM.LIST", { offset }, o);
    } catch (e) {
      const why = `$JS.API.STREAM.LIST at offset ${offset} failed: ${(e as Error).message}`;
      if (pages.length === 0) return { ...parseStreamList([], base), blind: why, problems: [...problems, why] };
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
