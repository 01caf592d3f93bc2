// Collects the servers slice: one fan-out each of VARZ, HEALTHZ, ROUTEZ, GATEWAYZ, LEAFZ and the
// per-account STATZ, all at once, each bounded by the run's deadline; plus the expiry of the monitor's
// own user JWT and, with a creds file, its account JWT as the servers hold it (ACCOUNTZ).
// Judges nothing: what a server did not answer is left absent, and said in `problems`.
import { readFileSync } from "node:fs";
import type { NatsConnection } from "@nats-io/transport-node";
import { sysFanout, type FanoutOptions } from "../nats/fanout.ts";
import type { RequestStats } from "../nats/stats.ts";
import type { SysEnvelope } from "../nats/wire.ts";
import { parseDurationMs } from "../thresholds/duration.ts";
import type { CredentialsView, ServerLine, ServersSnapshot } from "../snapshot/servers.ts";
import { accountJwtView, applyAccountStatz, reportsAccountCounters, slimAccountStatz } from "./servers-accounts.ts";
import type {
  AccountStatzWire,
  AccountzWire,
  GatewayzWire,
  HealthzWire,
  LeafzWire,
  RoutezWire,
  VarzWire,
} from "./servers-wire.ts";
import { num, time } from "./values.ts";

export interface ServersCollectOptions {
  timeoutMs: number;
  /** Epoch ms after which no fan-out may still wait. */
  deadline?: number;
  /** Servers known to exist (earlier runs): the VARZ fan-out stops once this many answered. */
  expectedServers?: number;
  /** Of those, the ones whose version answers the per-account STATZ (2.9+). */
  expectedAccountCounters?: number;
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
  accountStatz?: readonly SysEnvelope<AccountStatzWire>[];
  /** Only when the creds file names the monitor's account. */
  accountz?: readonly SysEnvelope<AccountzWire>[];
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
  o: {
    collectedAt: number;
    clusterLabel?: string;
    timeoutMs: number;
    stats: RequestStats;
    /** What the creds file said; its account is looked up in `accountz`. */
    credentials?: CredentialsView;
  },
): ServersSnapshot {
  const snap: ServersSnapshot = {
    collectedAt: o.collectedAt,
    cluster: o.clusterLabel,
    servers: [],
    problems: [],
    stats: o.stats,
  };
  if (o.credentials) snap.credentials = { ...o.credentials };
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
  if (r.accountStatz) {
    const { missing, unsupported } = applyAccountStatz(byName, r.accountStatz);
    if (missing.length) snap.problems.push(`${missing.join(", ")} answered VARZ but not ACCOUNT STATZ`);
    if (unsupported.length) snap.accountCountersUnsupported = unsupported;
  }
  const account = snap.credentials?.account;
  if (account && r.accountz) {
    const { view, missing } = accountJwtView(account, byName, r.accountz);
    if (view) snap.credentials!.accountJwt = view;
    if (missing.length) snap.problems.push(`${missing.join(", ")} answered VARZ but not ACCOUNTZ`);
  }
  return snap;
}

/** The expiry and account of the user JWT in a creds file; reads the file, keeps no secret. */
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
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as {
      exp?: unknown;
      sub?: unknown;
      iss?: unknown;
      nats?: { issuer_account?: unknown };
    };
    if (typeof claims.exp === "number" && claims.exp > 0) view.expiresAt = claims.exp * 1000;
    if (typeof claims.sub === "string") view.subject = claims.sub;
    // A user signed with one of the account's signing keys names its account in issuer_account.
    const account = claims.nats?.issuer_account ?? claims.iss;
    if (typeof account === "string" && /^A[A-Z2-7]{55}$/.test(account)) view.account = account;
  } catch {
    view.problem = "the user JWT does not decode";
  }
  return view;
}

export async function collectServers(nc: NatsConnection, o: ServersCollectOptions): Promise<ServersSnapshot> {
  const now = o.now ?? Date.now;
  const collectedAt = now();
  // All fan-outs at once, each ending by the run's deadline whatever the per-request timeout says:
  // a run waits one timeout at most, and the last slice of a check still gets its share.
  const t = Math.max(1, Math.min(o.timeoutMs, o.deadline === undefined ? o.timeoutMs : o.deadline - now()));
  let varzNames = 0;
  let varzCounting = 0;
  const varzExpected = (replies: readonly SysEnvelope<unknown>[]) => {
    const versions = new Map(replies.filter((r) => r?.server?.name).map((r) => [r.server.name, r.server.ver ?? ""]));
    varzNames = versions.size;
    varzCounting = [...versions.values()].filter(reportsAccountCounters).length;
    return expectedVarz(replies as SysEnvelope<VarzWire>[], o.expectedServers);
  };
  // The others wait for the servers known before and those that answered VARZ so far.
  const expected = () => (o.expectedServers === undefined ? undefined : Math.max(o.expectedServers, varzNames));
  // Servers before 2.9 have no per-account STATZ: it waits only for those that can answer.
  const expectedCounting = () =>
    o.expectedServers === undefined
      ? undefined
      : Math.max(o.expectedAccountCounters ?? o.expectedServers, varzCounting);
  const ask = <T>(
    subject: string,
    body: unknown,
    exp: FanoutOptions["expected"] = expected,
    slim?: FanoutOptions<T>["onReply"],
  ) =>
    sysFanout<T>(nc, subject, body, {
      timeoutMs: t,
      stats: o.stats,
      expected: exp,
      ...(slim ? { onReply: slim } : {}),
    });
  const credentials = o.credsFile ? readCredentials(o.credsFile) : undefined;
  const none = Promise.resolve(undefined);
  // `details` lists each failing stream/consumer/account with its error (2.10+; 2.9 ignores it).
  // `include_unused`: every account, also one whose last connection a slow consumer event closed.
  const [varz, healthz, routez, gatewayz, leafz, accountStatz, accountz] = await Promise.all([
    ask<VarzWire>("$SYS.REQ.SERVER.PING.VARZ", {}, varzExpected),
    ask<HealthzWire>("$SYS.REQ.SERVER.PING.HEALTHZ", { details: true }),
    ask<RoutezWire>("$SYS.REQ.SERVER.PING.ROUTEZ", {}),
    ask<GatewayzWire>("$SYS.REQ.SERVER.PING.GATEWAYZ", {}),
    ask<LeafzWire>("$SYS.REQ.SERVER.PING.LEAFZ", {}),
    ask<AccountStatzWire>("$SYS.REQ.ACCOUNT.PING.STATZ", { include_unused: true }, expectedCounting, slimAccountStatz),
    credentials?.account ? ask<AccountzWire>("$SYS.REQ.SERVER.PING.ACCOUNTZ", { account: credentials.account }) : none,
  ] as const);
  const problems: string[] = [];
  const fanouts = { VARZ: varz, HEALTHZ: healthz, ROUTEZ: routez, GATEWAYZ: gatewayz, LEAFZ: leafz };
  for (const [ep, f] of Object.entries({ ...fanouts, "ACCOUNT STATZ": accountStatz, ACCOUNTZ: accountz }))
    problems.push(...(f?.undecodable ?? []).map((u) => `undecodable ${ep} reply: ${u}`));
  const p: Parameters<typeof parseServersReplies>[1] = { collectedAt, timeoutMs: t, stats: o.stats };
  if (o.clusterLabel) p.clusterLabel = o.clusterLabel;
  if (credentials) p.credentials = credentials;
  const replies: ServersReplies = {
    varz: varz.replies,
    healthz: healthz.replies,
    routez: routez.replies,
    gatewayz: gatewayz.replies,
    leafz: leafz.replies,
    accountStatz: accountStatz.replies,
  };
  if (accountz) replies.accountz = accountz.replies;
  const snap = parseServersReplies(replies, p);
  snap.problems.unshift(...problems);
  return snap;
}
