// The one typed configuration. Parsed and validated once, every problem reported together.
import type { SliceName } from "../core/slice-name.ts";
import type { SeverityPolicy } from "../checks/severity.ts";
import { DEFAULT_CONSUMER_THRESHOLDS, type ConsumerThresholdConfig } from "../thresholds/consumer-keys.ts";
import { DEFAULT_SERVER_THRESHOLDS, type ServerThresholds } from "../thresholds/servers.ts";

export interface TlsConfig {
  /** CA bundle (PEM file) to verify the servers. */
  ca?: string;
  /** Client certificate and key (PEM files) for mutual TLS. */
  cert?: string;
  key?: string;
}

export interface NatsConnectionConfig {
  servers: string[];
  user?: string;
  password?: string;
  token?: string;
  /** Path to a `.creds` file (JWT + nkey seed). */
  creds?: string;
  /** Path to a file holding a user nkey seed. */
  nkey?: string;
  tls?: TlsConfig;
}

export interface MetaThresholds {
  /** A meta peer not heard from for longer than this is critical. Undefined: off. */
  peerSeenCriticalMs?: number;
  /** A meta peer more Raft entries behind than this is critical. Undefined: off. */
  peerLagCritical?: number;
  /** META_003 fires when leader changes inside the window exceed this. */
  flapMaxChanges: number;
  flapWindowMs: number;
}

/** Threshold values keyed as `io.nats.monitor.<key>` minus the prefix, as text (one parser for all). */
export type MonitorValues = Record<string, string>;

export interface StreamOverride {
  /** Glob on the account name (`*` any run of characters); absent: every account. */
  account?: string;
  /** Glob on the stream name. */
  stream: string;
  values: MonitorValues;
}

export interface StreamThresholdConfig {
  /** Applied to every stream unless its metadata or an override says otherwise. */
  defaults: MonitorValues;
  /** Central policy by account and stream pattern; later entries win. Metadata wins over both. */
  overrides: StreamOverride[];
  /** JETSTREAM_015: a zero-lag mirror silent longer than this while its source advanced. */
  mirrorStallAfterMs: number;
}

export type HistoryConfig =
  /** `dir` absent: the user's state directory (see lib/config/paths.ts). */
  | { kind: "file"; dir?: string }
  | { kind: "dynamodb"; table: string; ttlDays: number; region?: string; endpoint?: string };

export type NotifierConfig =
  | { kind: "terminal"; color?: boolean }
  | { kind: "jsonl"; file: string }
  | { kind: "sns"; topicArn: string; region?: string; endpoint?: string };

/** Slices that read `$SYS` and so cannot run in account mode. */
export const SYSTEM_ACCOUNT_SLICES: readonly SliceName[] = ["meta", "servers"];

export interface SliceSchedule {
  enabled: boolean;
  everyMs: number;
}

export interface LookoutConfig {
  /** Label for subjects and history keys; default: the cluster name the servers report. */
  clusterLabel?: string;
  nats: NatsConnectionConfig;
  /** system: $SYS fan-out with system-account credentials; account: $JS.API only. */
  mode: "system" | "account";
  slices: Record<SliceName, SliceSchedule>;
  thresholds: {
    meta: MetaThresholds;
    streams: StreamThresholdConfig;
    consumers: ConsumerThresholdConfig;
    servers: ServerThresholds;
  };
  alerts: {
    /** A still-firing alert is notified again after this long. */
    remindAfterMs: number;
    /** An alert resolves only after this many consecutive clear runs (damps flicker). */
    resolveAfterRuns: number;
    /** A run may hold its pending notifications this long before another run may send them. */
    claimLeaseMs: number;
    /** `alerts.severity.<check id>`: critical, warning or off, applied to findings before reconcile. */
    severity?: SeverityPolicy;
  };
  history: HistoryConfig;
  notify: NotifierConfig[];
  timeouts: {
    connectMs: number;
    /** Each NATS request or fan-out. */
    requestMs: number;
  };
  /** What loading accepted but wants changed (deprecated key names), for the CLI to print once at start. */
  warnings?: string[];
}

export const DEFAULT_CONFIG: LookoutConfig = {
  nats: { servers: ["nats://127.0.0.1:4222"] },
  mode: "system",
  slices: {
    meta: { enabled: true, everyMs: 30_000 },
    streams: { enabled: true, everyMs: 60_000 },
    servers: { enabled: true, everyMs: 60_000 },
    consumers: { enabled: true, everyMs: 60_000 },
  },
  thresholds: {
    meta: { peerSeenCriticalMs: 30_000, flapMaxChanges: 1, flapWindowMs: 10 * 60_000 },
    streams: { defaults: { "peer-seen-critical": "1m" }, overrides: [], mirrorStallAfterMs: 5 * 60_000 },
    consumers: DEFAULT_CONSUMER_THRESHOLDS,
    servers: DEFAULT_SERVER_THRESHOLDS,
  },
  alerts: { remindAfterMs: 4 * 3_600_000, resolveAfterRuns: 2, claimLeaseMs: 5 * 60_000 },
  history: { kind: "file" },
  notify: [{ kind: "terminal" }],
  timeouts: { connectMs: 5_000, requestMs: 3_000 },
};
