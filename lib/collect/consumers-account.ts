// Account mode (`$JS.API` only, application credentials): `$JS.API.STREAM.LIST` pages (256 streams
// a page, with each stream's first and last sequence), then `$JS.API.CONSUMER.LIST.<stream>` pages
// (256 consumers a page) for every stream: 1 + streams requests at the least. The servers ask each
// consumer's leader for its info, so each consumer comes with its leader's view; consumers whose
// leader did not answer in time come back in `missing` and are listed as not judged.
import type { NatsConnection } from "@nats-io/transport-node";
import type { StreamListWire, UserInfoWire, SysEnvelope } from "../nats/wire.ts";
import type { ConsumersSnapshot } from "../snapshot/consumers.ts";
import { consumerKey } from "../snapshot/consumers.ts";
import type { AnsweringServer } from "../snapshot/streams.ts";
import { consumerView, type ConsumerDetailWire, type ConsumersCollectOptions } from "./consumers-jsz.ts";
import { ACCOUNT_FALLBACK, streamListTimeoutMs } from "./stream-list.ts";
import { num, time } from "./values.ts";

const MAX_PAGES = 10_000;

interface ConsumerListWire {
  error?: { code?: number; err_code?: number; description?: string };
  total?: number;
  consumers?: ConsumerDetailWire[];
  /** Consumers whose leader did not answer in time. */
  missing?: string[];
}

async function requestJson<T>(
  nc: NatsConnection,
  subject: string,
  body: unknown,
  o: ConsumersCollectOptions,
  timeoutMs = o.timeoutMs,
): Promise<T> {
  o.stats.requests++;
  const m = await nc.request(subject, body === undefined ? "" : JSON.stringify(body), { timeout: timeoutMs });
  o.stats.bytesReceived += m.data.length;
  o.stats.bytesDecoded += m.data.length;
  return m.json<T>();
}

export async function collectConsumersAccount(
  nc: NatsConnection,
  o: ConsumersCollectOptions,
): Promise<ConsumersSnapshot> {
  const now = o.now ?? Date.now;
  const collectedAt = now();
  const info = (nc.info ?? {}) as { server_name?: string; version?: string; cluster?: string; domain?: string };
  const server: AnsweringServer = { name: info.server_name ?? "(connected server)", version: info.version ?? "" };
  if (info.cluster) server.cluster = info.cluster;
  const snap: ConsumersSnapshot = {
    collectedAt,
    cluster: o.clusterLabel ?? info.cluster,
    stats: o.stats,
    mode: "account",
    servers: [server],
    silent: [],
    consumers: [],
    gaps: [],
    problems: [],
    pages: 0,
  };
  // Which account this is, so findings name it and overrides by account can match (2.10+).
  let account = ACCOUNT_FALLBACK;
  try {
    const who = await requestJson<SysEnvelope<UserInfoWire>>(
      nc,
      "$SYS.REQ.USER.INFO",
      undefined,
      o,
      Math.min(o.timeoutMs, 1000),
    );
    account = who.data?.account_name ?? who.data?.account ?? account;
  } catch {
    // denied, or a server before 2.10: the account stays unnamed
  }
  const late = (): boolean => o.deadline !== undefined && now() >= o.deadline;
  const streams: { name: string; first?: number; cluster?: string }[] = [];
  const unlisted: string[] = [];
  for (let offset = 0; snap.pages < MAX_PAGES;) {
    if (late() && snap.pages > 0) {
      snap.problems.push(`stopped at the run's deadline: streams from offset ${offset} unchecked`);
      break;
    }
    let page: StreamListWire;
    try {
      page = await requestJson<StreamListWire>(
        nc,
        "$JS.API.STREAM.LIST",
        { offset },
        o,
        streamListTimeoutMs(o.timeoutMs, now(), o.deadline),
      );
    } catch (e) {
      const why = `$JS.API.STREAM.LIST at offset ${offset} got no answer: ${(e as Error).message}`;
      if (snap.pages === 0) return { ...snap, blind: why };
      snap.problems.push(why);
      break;
    }
    snap.pages++;
    if (page.error) {
      const why =
        `$JS.API.STREAM.LIST answered ${page.error.code ?? "?"}/${page.error.err_code ?? "?"} ${page.error.description ?? ""}`.trim();
      if (snap.pages === 1) return { ...snap, blind: why };
      snap.problems.push(why);
      break;
    }
    for (const s of page.streams ?? []) {
      const name = s.config?.name;
      if (!name) continue;
      const e: (typeof streams)[number] = { name };
      if (typeof s.state?.first_seq === "number") e.first = s.state.first_seq;
      if (s.cluster?.name) e.cluster = s.cluster.name;
      streams.push(e);
    }
    for (const m of page.missing ?? []) {
      snap.problems.push(`stream ${m} did not answer the listing: its consumers are unchecked`);
      unlisted.push(m);
    }
    const got = page.streams?.length ?? 0;
    offset += got;
    if (got === 0 || offset >= num(page.total)) break;
  }
  for (const s of streams) {
    for (let offset = 0, pages = 0; pages < MAX_PAGES; pages++) {
      if (late()) {
        snap.problems.push(`stopped at the run's deadline: consumers of ${s.name} from offset ${offset} unchecked`);
        unlisted.push(s.name);
        break;
      }
      let page: ConsumerListWire;
      try {
        page = await requestJson<ConsumerListWire>(
          nc,
          `$JS.API.CONSUMER.LIST.${s.name}`,
          { offset },
          o,
          streamListTimeoutMs(o.timeoutMs, now(), o.deadline),
        );
      } catch (e) {
        snap.problems.push(`$JS.API.CONSUMER.LIST.${s.name} got no answer: ${(e as Error).message}`);
        unlisted.push(s.name);
        break;
      }
      snap.pages++;
      if (page.error) {
        snap.problems.push(
          `$JS.API.CONSUMER.LIST.${s.name} answered ${page.error.description ?? page.error.code ?? "an error"}`,
        );
        unlisted.push(s.name);
        break;
      }
      for (const ci of page.consumers ?? []) {
        const c = ci.cluster;
        const status = c?.leader || !c?.replicas?.length ? "led" : "leaderless";
        // The stream was listed before its consumers, while publishers went on: its first sequence
        // only grows (a safe floor for CONSUMER_004), its last sequence is stale (no CONSUMER_005).
        const state = s.first !== undefined ? { first_seq: s.first } : {};
        const v = consumerView(
          ci,
          { name: s.name, state },
          { account, cluster: s.cluster, reportedBy: c?.leader ?? server.name, serverNow: time(ci.ts) },
          status,
        );
        snap.consumers.push(v);
      }
      for (const m of page.missing ?? []) {
        snap.gaps.push({ account, stream: s.name, name: m, reason: "its leader did not answer the listing in time" });
      }
      const got = page.consumers?.length ?? 0;
      offset += got + (page.missing?.length ?? 0);
      if (got === 0 || offset >= num(page.total)) break;
    }
  }
  snap.consumers.sort((a, b) => consumerKey(a).localeCompare(consumerKey(b)));
  if (unlisted.length) snap.unlistedStreams = unlisted;
  return snap;
}
