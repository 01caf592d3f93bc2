// What the servers slice remembers between runs, per server: when it was last seen, its start times
// (restarts), its version, the counters that only mean something as a delta (per account too), and
// the gateways and leaf links it had (so one that disappears is named). Entries not seen for
// `forgetAfterMs` go.
import type { ServerLine, ServersSnapshot } from "../../snapshot/servers.ts";
import type { ServerThresholds } from "./thresholds.ts";

export interface RestartSeen {
  /** The new start (epoch ms). */
  start: number;
  fromVersion: string;
  toVersion: string;
}

export interface ServerMemory {
  lastSeen: number;
  cluster?: string;
  version: string;
  /** Start times seen, oldest first, inside the crash-loop window (the current one always kept). */
  starts: number[];
  restart?: RestartSeen;
  slowConsumers: number;
  staleConnections?: number;
  stalledClients?: number;
  /**
   * Account -> slow consumer count, nonzero counts only (an absent account had none); absent until
   * the server answered the per-account STATZ, so a first answer is a baseline, not a rise.
   */
  accountSlowConsumers?: Record<string, number>;
  /** Remote cluster -> last run (epoch ms) this server had an outbound gateway to it. */
  gateways?: Record<string, number>;
  /** Leaf link key (`<account>/<remote server>`) -> last run it was connected. */
  leafs?: Record<string, number>;
}

export interface ServersObservation {
  servers: Record<string, ServerMemory>;
  /** Meta group size by JetStream domain ("" none), as the last run saw it. */
  metaSizes?: Record<string, number>;
}

/** Counters reset on restart: a delta means something only against the same process. */
export const sameProcess = (s: Pick<ServerLine, "start">, p: ServerMemory | undefined): p is ServerMemory =>
  p !== undefined && s.start !== undefined && p.starts[p.starts.length - 1] === s.start;

export const leafKey = (l: { name?: string; account?: string }): string => `${l.account ?? "?"}/${l.name ?? "?"}`;

function links(
  prev: Record<string, number> | undefined,
  now: readonly string[] | undefined,
  at: number,
  forget: number,
): Record<string, number> | undefined {
  // A server that did not answer this fan-out keeps what it had: absence of an answer is not absence of a link.
  if (now === undefined) return prev;
  const out: Record<string, number> = {};
  for (const [k, t] of Object.entries(prev ?? {})) if (at - t < forget) out[k] = t;
  for (const k of now) out[k] = at;
  return Object.keys(out).length ? out : undefined;
}

function remember(s: ServerLine, prev: ServerMemory | undefined, at: number, t: ServerThresholds): ServerMemory {
  const m: ServerMemory = {
    lastSeen: at,
    version: s.version,
    starts: [...(prev?.starts ?? [])],
    slowConsumers: s.slowConsumers,
  };
  if (s.cluster) m.cluster = s.cluster;
  if (s.staleConnections !== undefined) m.staleConnections = s.staleConnections;
  if (s.stalledClients !== undefined) m.stalledClients = s.stalledClients;
  const slow = accountCounts(s, prev);
  if (slow) m.accountSlowConsumers = slow;
  if (s.start !== undefined) {
    const last = m.starts[m.starts.length - 1];
    if (last !== s.start && !m.starts.includes(s.start)) {
      m.starts.push(s.start);
      if (prev && last !== undefined) m.restart = { start: s.start, fromVersion: prev.version, toVersion: s.version };
    }
    // Keep the window's starts, and always the current one.
    m.starts = m.starts.filter((x) => x === s.start || at - x <= t.crashLoopWindowMs);
  }
  if (!m.restart && prev?.restart && prev.restart.start === s.start) m.restart = prev.restart;
  const gw = links(
    prev?.gateways,
    s.gateways?.map((g) => g.remoteCluster),
    at,
    t.forgetAfterMs,
  );
  if (gw) m.gateways = gw;
  const lf = links(prev?.leafs, s.leafs?.map(leafKey), at, t.forgetAfterMs);
  if (lf) m.leafs = lf;
  return m;
}

// A server that did not answer the per-account STATZ keeps its last counts, unless it restarted since.
function accountCounts(s: ServerLine, prev: ServerMemory | undefined): Record<string, number> | undefined {
  if (!s.accounts) return sameProcess(s, prev) ? prev.accountSlowConsumers : undefined;
  const out: Record<string, number> = {};
  for (const a of s.accounts) if (a.slowConsumers) out[a.account] = a.slowConsumers;
  return out;
}

/** The next observation: this run's servers, plus silent ones not yet forgotten. */
export function observeServers(
  snap: ServersSnapshot,
  prev: ServersObservation | undefined,
  t: ServerThresholds,
): ServersObservation {
  if (snap.blind) return prev ?? { servers: {} };
  const out: ServersObservation = { servers: {} };
  for (const s of snap.servers) out.servers[s.name] = remember(s, prev?.servers[s.name], snap.collectedAt, t);
  const sizes = metaSizes(snap);
  if (Object.keys(sizes).length) out.metaSizes = sizes;
  for (const [name, m] of Object.entries(prev?.servers ?? {})) {
    if (!out.servers[name] && snap.collectedAt - m.lastSeen < t.forgetAfterMs) out.servers[name] = m;
  }
  return out;
}

/**
 * The meta group's size per JetStream domain: the leader's own count where a leader answered, else
 * the largest any member reports (a member's count can blip while it catches up).
 */
export function metaSizes(snap: ServersSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  const led = new Set<string>();
  for (const s of snap.servers) {
    const size = s.meta?.clusterSize;
    if (!size) continue;
    const d = s.domain ?? "";
    if (s.meta?.leader === s.name) {
      out[d] = size;
      led.add(d);
    } else if (!led.has(d)) out[d] = Math.max(out[d] ?? 0, size);
  }
  return out;
}
