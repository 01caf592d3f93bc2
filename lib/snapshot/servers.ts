// What one run saw of the servers themselves (VARZ, HEALTHZ, ROUTEZ, GATEWAYZ, LEAFZ fan-outs), in the
// monitor's own units: milliseconds, epoch ms, bytes. Fields a server line does not report are absent.
import type { RequestStats } from "../nats/stats.ts";

export interface HealthError {
  /** CONNECTION, BAD_REQUEST, JETSTREAM, ACCOUNT, STREAM, CONSUMER (2.10+); absent before. */
  type?: string;
  account?: string;
  stream?: string;
  consumer?: string;
  /** The server's own text. */
  error: string;
}

export interface ServerHealth {
  /** ok, error or unavailable. */
  status: string;
  statusCode?: number;
  /** The top-level `error` of a server without details (2.9) or a summary. */
  error?: string;
  errors: HealthError[];
}

export interface JetStreamUsage {
  memory: number;
  storage: number;
  reservedMemory: number;
  reservedStorage: number;
  maxMemory: number;
  maxStorage: number;
}

/** The meta group as this server's VARZ shows it. */
export interface MetaSummary {
  name?: string;
  leader?: string;
  clusterSize?: number;
  /** Since 2.10.21; meaningful on the leader. */
  pending?: number;
}

export interface RouteLink {
  /** The remote server's id (every version); several routes to one peer with pooling (2.10+). */
  remoteId: string;
  remoteName?: string;
  rttMs?: number;
}

export interface GatewayLink {
  /** The remote cluster's name: a gateway's identity across reconnects. */
  remoteCluster: string;
  rttMs?: number;
}

export interface LeafLink {
  /** The server at the other end. */
  name?: string;
  account?: string;
  rttMs?: number;
}

/** One account's counters on one server (ACCOUNT.PING.STATZ, 2.9+). */
export interface AccountCounters {
  /** The account as the server names it (its public key in operator mode). */
  account: string;
  /** The account's name where the server reports it beside the key (2.11+). */
  name?: string;
  /** Absent when the server did not report it. */
  slowConsumers?: number;
}

export interface ServerLine {
  name: string;
  id: string;
  cluster?: string;
  domain?: string;
  version: string;
  /** Process start (epoch ms): changes on every restart. */
  start?: number;
  cores?: number;
  /** Percent of one core (can exceed 100). */
  cpu?: number;
  connections: number;
  maxConnections?: number;
  authRequired: boolean;
  slowConsumers: number;
  /** 2.11+. */
  staleConnections?: number;
  /** 2.11+. */
  stalledClients?: number;
  jetstream?: JetStreamUsage;
  meta?: MetaSummary;
  /** Absent when this server did not answer that fan-out. */
  health?: ServerHealth;
  routes?: RouteLink[];
  /** Outbound gateways (one per remote cluster). */
  gateways?: GatewayLink[];
  leafs?: LeafLink[];
  /**
   * The accounts with slow consumer events (or no count) on this server; absent when it did not
   * answer the per-account STATZ (or, before 2.9, cannot).
   */
  accounts?: AccountCounters[];
}

/** The monitor's account JWT as the servers hold it (ACCOUNTZ), where visible. */
export interface AccountJwtView {
  /** The account's public key. */
  account: string;
  name?: string;
  /** The earliest expiry (epoch ms) any answering server holds; absent when none expires. */
  expiresAt?: number;
  /** The server holding that earliest expiry. */
  server?: string;
  /** Servers that showed the account's JWT; 0 when none is visible (accounts from the configuration). */
  servers: number;
}

/** The monitor's own user JWT, read from its creds file (no secret kept). */
export interface CredentialsView {
  file: string;
  /** Epoch ms; absent when the JWT never expires. */
  expiresAt?: number;
  subject?: string;
  /** The account that issued the user (its public key): the monitor's account. */
  account?: string;
  /** Absent when no server answered ACCOUNTZ (or no account is named). */
  accountJwt?: AccountJwtView;
  /** Set when the file could not be read or decoded. */
  problem?: string;
}

export interface ServersSnapshot {
  collectedAt: number;
  cluster: string | undefined;
  blind?: string;
  /** Servers that answered VARZ, by name. */
  servers: ServerLine[];
  /** Fan-outs that some answering servers left unanswered, and other collection problems. */
  problems: string[];
  credentials?: CredentialsView;
  /** Servers too old (before 2.9) to report per-account counters: not named as silent. */
  accountCountersUnsupported?: string[];
  stats: RequestStats;
}
