// Collects the servers slice: one fan-out each of VARZ, HEALTHZ, ROUTEZ, GATEWAYZ and LEAFZ, all at
// once, each bounded by the run's deadline; plus the expiry of the monitor's own user JWT.
// Judges nothing: what a server did not answer is left absent, and said in `problems`.
import { readFileSync } from "node:fs";
import type { NatsConnection } from "@nats-io/transport-node";
import { sysFanout, type FanoutOptions } from "../nats/fanout.ts";
import type { RequestStats } from "../nats/stats.ts";
import type { SysEnvelope } from "../nats/wire.ts";
import { parseDurationMs } from "../thresholds/duration.ts";
import type { CredentialsView, ServerLine, ServersSnapshot } from "../snapshot/servers.ts";
import type { GatewayzWire, HealthzWire, LeafzWire, RoutezWire, VarzWire } from "./servers-wire.ts";
import { num, time } from "./values.ts";

export interface ServersCollectOptions {
  timeoutMs: number;
  /** Epoch ms after which no fan-out may still wait. */
  deadline?: number;
  /** Servers known to exist (earlier runs): the VARZ fan-out stops once this many answered. */
  expectedServers?: number;
  clusterLabel?: string;
  /** The monitor's own creds file, whose user JWT may expire. */
  credsFile?: string;
  stats: RequestStats;
  now?: () => number;
}

export interface ServersReplies {
  varz: readonly SysEnvelope<VarzWire>[];
  healthz?: readonly SysEnvelope<HealthzWire>[];
  routez?: readonly SysEnvelope<RoutezWire>[];
  gatewayz?: readonly SysEnvelope<GatewayzWire>[];
  leafz?: readonly SysEnvelope<LeafzWire>[];
}

/**
 * How many VARZ replies to wait for: at least the servers earlier runs knew of, and at least every
 * cluster's size as its servers' route URLs tell it (a server added since is waited for too). Unknown
 * (undefined: wait the whole timeout) on a first run, when servers of clusters not yet heard from
 * (gateways, leaf nodes) may still be on their way.
 */
export function expectedVarz(replies: readonly SysEnvelope<VarzWire>[], known: number | undefined): number | undefined {
  if (known === undefined) return undefined;
  const size = new Map<string, number>();
  let loose = 0;
  for (const r of replies) {
    const c = r?.data?.cluster?.name;
    if (!c) loose++;
    else size.set(c, Math.max(size.get(c) ?? 0, (r.data?.cluster?.urls?.length ?? 0) + 1));
  }
  return Math.max(known, loose + [...size.values()].reduce((a, b) => a + b, 0));
}

/** A Go duration string (`1.234ms`, `0s`) as milliseconds; undefined when absent or unreadable. */
export function rttMs(v: unknown): number | undefined {
  if (typeof v !== "string" || v === "") return undefined;
  const ms = parseDurationMs(v);
  return ms instanceof Error ? undefined : ms;
}

const mostCommon = (xs: (string | undefined)[]): string | undefined => {
  const n = new Map<string, number>();
  for (const x of xs) if (x) n.set(x, (n.get(x) ?? 0) + 1);
  return [...n.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
};

function varzLine(env: SysEnvelope<VarzWire>): ServerLine {
  const d = env.data ?? {};
  const s: ServerLine = {
    name: env.server.name,
    id: env.server.id,
    version: env.server.ver,
    connections: num(d.connections),
    authRequired: d.auth_required === true,
    slowConsumers: num(d.slow_consumers),
  };
  if (env.server.cluster) s.cluster = env.server.cluster;
  if (env.server.domain) s.domain = env.server.domain;
  const start = time(d.start);
  if (start !== undefined) s.start = start;
  if (typeof d.cores === "number") s.cores = d.cores;
  if (typeof d.cpu === "number") s.cpu = d.cpu;
  if (typeof d.max_connections === "number" && d.max_connections > 0) s.maxConnections = d.max_connections;
  if (typeof d.stale_connections === "number") s.staleConnections = d.stale_connections;
  if (typeof d.stalled_clients === "number") s.stalledClients = d.stalled_clients;
  const js = d.jetstream;
  if (js?.config || js?.stats) {
    s.jetstream = {
      memory: num(js.stats?.memory),
      storage: num(js.stats?.storage),
      reservedMemory: num(js.stats?.reserved_memory),
      reservedStorage: num(js.stats?.reserved_storage),
      maxMemory: num(js.config?.max_memory),
      maxStorage: num(js.config?.max_storage),
    };
  }
  if (js?.meta) {
    const m = js.meta;
    s.meta = {};
    if (m.name) s.meta.name = m.name;
    if (m.leader) s.meta.leader = m.leader;
    if (typeof m.cluster_size === "number") s.meta.clusterSize = m.cluster_size;
    if (typeof m.pending === "number") s.meta.pending = m.pending;
  }
  return s;
}

/** Parses the replies of one run into a snapshot (pure: the fixture tests feed it captured replies). */
export function parseServersReplies(
  r: ServersReplies,
  o: { collectedAt: number; clusterLabel?: string; timeoutMs: number; stats: RequestStats },
): ServersSnapshot {
  const snap: ServersSnapshot = {
    collectedAt: o.collectedAt,
    cluster: o.clusterLabel,
    servers: [],
    problems: [],
    stats: o.stats,
  };
  const byName = new Map<string, ServerLine>();
  for (const env of r.varz) {
    if (!env?.server?.name) continue;
    if (env.error) {
      snap.problems.push(
        `${env.server.name} answered VARZ with error ${env.error.code}: ${env.error.description ?? ""}`.trim(),
      );
      continue;
    }
    if (byName.has(env.server.name)) continue; // the same reply relayed twice
    const line = varzLine(env);
    byName.set(line.name, line);
    snap.servers.push(line);
  }
  if (snap.servers.length === 0) {
    snap.blind = `no server answered $SYS.REQ.SERVER.PING.VARZ within ${o.timeoutMs} ms (are these system-account credentials?)`;
    return snap;
  }
  snap.cluster ??= mostCommon(snap.servers.map((s) => s.meta?.name)) ?? mostCommon(snap.servers.map((s) => s.cluster));

  const each = <T>(
    what: string,
    replies: readonly SysEnvelope<T>[] | undefined,
    apply: (s: ServerLine, d: T) => void,
  ) => {
    if (!replies) return;
    const seen = new Set<string>();
    for (const env of replies) {
      const s = env?.server?.name ? byName.get(env.server.name) : undefined;
      if (!s || seen.has(s.name) || env.error || !env.data) continue;
      seen.add(s.name);
      apply(s, env.data);
    }
    const missing = snap.servers.filter((s) => !seen.has(s.name)).map((s) => s.name);
    if (missing.length) snap.problems.push(`${missing.join(", ")} answered VARZ but not ${what}`);
  };
  each("HEALTHZ", r.healthz, (s, d) => {
    s.health = { status: d.status ?? "unknown", errors: [] };
    if (typeof d.status_code === "number") s.health.statusCode = d.status_code;
    if (d.error) s.health.error = d.error;
    for (const e of d.errors ?? []) {
      const he: ServerLine["health"] & object = s.health;
      const x: (typeof he.errors)[number] = { error: e.error ?? "" };
      if (e.type) x.type = e.type;
      if (e.account) x.account = e.account;
      if (e.stream) x.stream = e.stream;
      if (e.consumer) x.consumer = e.consumer;
      he.errors.push(x);
    }
  });
  each("ROUTEZ", r.routez, (s, d) => {
    s.routes = (d.routes ?? [])
      .filter((x) => x.remote_id)
      .map((x) => {
        const l: NonNullable<ServerLine["routes"]>[number] = { remoteId: x.remote_id! };
        if (x.remote_name) l.remoteName = x.remote_name;
        const rtt = rttMs(x.rtt);
        if (rtt !== undefined) l.rttMs = rtt;
        return l;
      });
  });
  each("GATEWAYZ", r.gatewayz, (s, d) => {
    s.gateways = Object.entries(d.outbound_gateways ?? {}).map(([remoteCluster, g]) => {
      const l: NonNullable<ServerLine["gateways"]>[number] = { remoteCluster };
      const rtt = rttMs(g?.connection?.rtt);
      if (rtt !== undefined) l.rttMs = rtt;
      return l;
    });
  });
  each("LEAFZ", r.leafz, (s, d) => {
    s.leafs = (d.leafs ?? []).map((x) => {
      const l: NonNullable<ServerLine["leafs"]>[number] = {};
      if (x.name) l.name = x.name;
      if (x.account) l.account = x.account;
      const rtt = rttMs(x.rtt);
      if (rtt !== undefined) l.rttMs = rtt;
      return l;
    });
  });
  return snap;
}

/** The expiry of the user JWT in a creds file; reads the file, keeps no secret. */
export function readCredentials(file: string): CredentialsView {
  const view: CredentialsView = { file };
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    view.problem = `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    return view;
  }
  const jwt = /-----BEGIN NATS USER JWT-----\s*([A-Za-z0-9_\-.=]+)\s*-+END NATS USER JWT-+/.exec(text)?.[1];
  const payload = jwt?.split(".")[1];
  if (!payload) {
    view.problem = "no user JWT in the file";
    return view;
  }
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown; sub?: unknown };
    if (typeof claims.exp === "number" && claims.exp > 0) view.expiresAt = claims.exp * 1000;
    if (typeof claims.sub === "string") view.subject = claims.sub;
  } catch {
    view.problem = "the user JWT does not decode";
  }
  return view;
}

export async function collectServers(nc: NatsConnection, o: ServersCollectOptions): Promise<ServersSnapshot> {
  const now = o.now ?? Date.now;
  const collectedAt = now();
  // All five fan-outs at once, each ending by the run's deadline whatever the per-request timeout
  // says: a run waits one timeout at most, and the last slice of a check still gets its share.
  const t = Math.max(1, Math.min(o.timeoutMs, o.deadline === undefined ? o.timeoutMs : o.deadline - now()));
  let varzNames = 0;
  const varzExpected = (replies: readonly SysEnvelope<unknown>[]) => {
    varzNames = new Set(replies.map((r) => r?.server?.name).filter(Boolean)).size;
    return expectedVarz(replies as SysEnvelope<VarzWire>[], o.expectedServers);
  };
  // The others wait for the servers known before and those that answered VARZ so far.
  const expected = () => (o.expectedServers === undefined ? undefined : Math.max(o.expectedServers, varzNames));
  const ask = <T>(ep: string, body: unknown, exp: FanoutOptions["expected"] = expected) =>
    sysFanout<T>(nc, `$SYS.REQ.SERVER.PING.${ep}`, body, { timeoutMs: t, stats: o.stats, expected: exp });
  // `details` lists each failing stream/consumer/account with its error (2.10+; 2.9 ignores it).
  const [varz, ...rest] = await Promise.all([
    ask<VarzWire>("VARZ", {}, varzExpected),
    ask<HealthzWire>("HEALTHZ", { details: true }),
    ask<RoutezWire>("ROUTEZ", {}),
    ask<GatewayzWire>("GATEWAYZ", {}),
    ask<LeafzWire>("LEAFZ", {}),
  ] as const);
  const problems: string[] = [];
  for (const [i, ep] of ["VARZ", "HEALTHZ", "ROUTEZ", "GATEWAYZ", "LEAFZ"].entries())
    problems.push(...[varz, ...rest][i]!.undecodable.map((u) => `undecodable ${ep} reply: ${u}`));
  const varzTimeout = t;
  const p: Parameters<typeof parseServersReplies>[1] = { collectedAt, timeoutMs: varzTimeout, stats: o.stats };
  if (o.clusterLabel) p.clusterLabel = o.clusterLabel;
  const replies: ServersReplies = {
    varz: varz.replies,
    healthz: rest[0].replies,
    routez: rest[1].replies,
    gatewayz: rest[2].replies,
    leafz: rest[3].replies,
  };
  const snap = parseServersReplies(replies, p);
  snap.problems.unshift(...problems);
  if (o.credsFile) snap.credentials = readCredentials(o.credsFile);
  return snap;
}
