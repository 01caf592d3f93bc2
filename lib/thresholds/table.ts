// Every threshold the monitor reads, for every slice, in one table: its key, its kind, which way a
// value is worse, where it may be set and its shipped default. Configuration loading, stream
// metadata resolution and the README read this table; a new slice adds rows here, not a parser.
//
// Keys are kebab-case, as the NATS tools' `io.nats.monitor.*` metadata keys are, wherever they are
// written: `thresholds.meta.peer-seen-critical` beside `"peer-seen-critical"` in stream defaults.
// The camelCase names of 0.1 (`thresholds.meta.peerSeenCritical`) are accepted for one release,
// with a warning at start.
import type { SliceName } from "../core/slice-name.ts";

export type ThresholdKind = "duration" | "integer" | "bool";

/**
 * Which way a value is worse, stated for every threshold that compares, never inferred from other
 * values: `above` fires when the observed value is above the threshold (more is worse),
 * `at-or-above` when it reaches it (the NATS tools' consumer keys), `below` when it is under it
 * (fewer is worse), `differs` when it is not equal.
 *
 * `at-or-above` fires at the threshold too: the NATS tools' consumer keys compare with `>=`.
 *
 * `warn-critical-order` exists only for `msgs-*` and `subjects-*`: jsm.go (`nats server check
 * stream`) takes their direction from which of warn and critical is larger, and streams annotated
 * for it must mean the same here. No other threshold may use it.
 */
export type ThresholdDirection = "above" | "at-or-above" | "below" | "differs" | "warn-critical-order";

export interface ThresholdDefinition {
  readonly slice: SliceName;
  /** Kebab-case. For `metadata` scope, also `io.nats.monitor.<key>`. */
  readonly key: string;
  readonly kind: ThresholdKind;
  /** Required for every integer threshold; for durations, `above` (older than the threshold). */
  readonly direction?: ThresholdDirection;
  /**
   * Where it is set. `metadata`: per stream, from `io.nats.monitor.<key>`, then
   * `thresholds.<slice>.overrides`, then `thresholds.<slice>.defaults`; a value <= 0 turns it off.
   * `config`: once, as `thresholds.<slice>.<key>`.
   */
  readonly scope: "metadata" | "config";
  /** The typed field it fills (StreamThresholds, MetaThresholds, StreamThresholdConfig). */
  readonly field?: string;
  /** `config` scope: `"off"` or 0 turns the check off (metadata keys: any value <= 0 does). */
  readonly canTurnOff?: boolean;
  /** `config` scope integers: the smallest value accepted. */
  readonly min?: number;
  /** The camelCase name of 0.1, accepted for one release with a warning. */
  readonly deprecatedName?: string;
  /** What it is compared with, for the README. */
  readonly compares: string;
  /** Shipped default, for the README ("off": no default; the check runs only when set). */
  readonly default: string;
}

// One row a line, so the table reads as a table.
// prettier-ignore
export const THRESHOLDS: readonly ThresholdDefinition[] = [
  // ---- meta (configuration only: the meta group has no metadata)
  { slice: "meta", key: "peer-seen-critical", kind: "duration", direction: "above", scope: "config", field: "peerSeenCriticalMs", canTurnOff: true, deprecatedName: "peerSeenCritical", compares: "each meta peer's last contact with the leader", default: "30s" },
  { slice: "meta", key: "peer-lag-critical", kind: "integer", direction: "above", scope: "config", field: "peerLagCritical", canTurnOff: true, min: 1, deprecatedName: "peerLagCritical", compares: "each meta peer's Raft lag", default: "off" },
  { slice: "meta", key: "flap-max-changes", kind: "integer", direction: "above", scope: "config", field: "flapMaxChanges", min: 0, deprecatedName: "flapMaxChanges", compares: "meta leader changes inside `flap-window`", default: "1" },
  { slice: "meta", key: "flap-window", kind: "duration", scope: "config", field: "flapWindowMs", deprecatedName: "flapWindow", compares: "the window META_003 counts leader changes in", default: "10m" },
  // ---- streams: the NATS tools' metadata keys
  { slice: "streams", key: "peer-seen-critical", kind: "duration", direction: "above", scope: "metadata", field: "peerSeenCriticalMs", compares: "each follower's last contact (`active`)", default: "1m" },
  { slice: "streams", key: "peer-lag-critical", kind: "integer", direction: "above", scope: "metadata", field: "peerLagCritical", compares: "each follower's Raft lag", default: "off" },
  { slice: "streams", key: "peer-expect", kind: "integer", direction: "differs", scope: "metadata", field: "peerExpect", compares: "peers (followers + leader)", default: "off" },
  { slice: "streams", key: "seen-critical", kind: "duration", direction: "above", scope: "metadata", field: "seenCriticalMs", compares: "`mirror.active` and each source's; also never seen (`-1`) once older", default: "off" },
  { slice: "streams", key: "lag-critical", kind: "integer", direction: "above", scope: "metadata", field: "lagCritical", compares: "`mirror.lag` and each source's", default: "off" },
  { slice: "streams", key: "min-sources", kind: "integer", direction: "below", scope: "metadata", field: "minSources", compares: "number of sources", default: "off" },
  { slice: "streams", key: "max-sources", kind: "integer", direction: "above", scope: "metadata", field: "maxSources", compares: "number of sources", default: "off" },
  { slice: "streams", key: "msgs-warn", kind: "integer", direction: "warn-critical-order", scope: "metadata", field: "msgsWarn", compares: "`state.messages`", default: "off" },
  { slice: "streams", key: "msgs-critical", kind: "integer", direction: "warn-critical-order", scope: "metadata", field: "msgsCritical", compares: "`state.messages`", default: "off" },
  { slice: "streams", key: "subjects-warn", kind: "integer", direction: "warn-critical-order", scope: "metadata", field: "subjectsWarn", compares: "`state.num_subjects`", default: "off" },
  { slice: "streams", key: "subjects-critical", kind: "integer", direction: "warn-critical-order", scope: "metadata", field: "subjectsCritical", compares: "`state.num_subjects`", default: "off" },
  { slice: "streams", key: "enabled", kind: "bool", scope: "metadata", compares: "`false` opts the stream out of every check", default: "true" },
  // ---- streams: configuration only
  { slice: "streams", key: "mirror-stall-after", kind: "duration", direction: "above", scope: "config", field: "mirrorStallAfterMs", deprecatedName: "mirrorStallAfter", compares: "a zero-lag mirror's silence while its source grows (JETSTREAM_015)", default: "5m" },
  // ---- consumers: the NATS tools' metadata keys
  { slice: "consumers", key: "outstanding-ack-critical", kind: "integer", direction: "at-or-above", scope: "metadata", field: "outstandingAckCritical", compares: "`num_ack_pending`", default: "off" },
  { slice: "consumers", key: "waiting-critical", kind: "integer", direction: "at-or-above", scope: "metadata", field: "waitingCritical", compares: "`num_waiting` (pull requests waiting)", default: "off" },
  { slice: "consumers", key: "unprocessed-critical", kind: "integer", direction: "at-or-above", scope: "metadata", field: "unprocessedCritical", compares: "`num_pending` (not yet delivered)", default: "off" },
  { slice: "consumers", key: "last-delivery-critical", kind: "duration", direction: "at-or-above", scope: "metadata", field: "lastDeliveryCriticalMs", compares: "time since the last delivery (`delivered.last_active`)", default: "off" },
  { slice: "consumers", key: "last-ack-critical", kind: "duration", direction: "at-or-above", scope: "metadata", field: "lastAckCriticalMs", compares: "time since the ack floor last moved (`ack_floor.last_active`)", default: "off" },
  { slice: "consumers", key: "redelivery-critical", kind: "integer", direction: "at-or-above", scope: "metadata", field: "redeliveryCritical", compares: "`num_redelivered`", default: "off" },
  { slice: "consumers", key: "pinned", kind: "bool", scope: "metadata", field: "pinned", compares: "`true`: the priority policy must be `pinned_client`", default: "off" },
  { slice: "consumers", key: "peer-seen-critical", kind: "duration", direction: "above", scope: "metadata", field: "peerSeenCriticalMs", compares: "each follower's last contact with the consumer leader", default: "1m" },
  { slice: "consumers", key: "peer-lag-warning", kind: "integer", direction: "above", scope: "metadata", field: "peerLagWarning", compares: "each online follower's Raft lag (CONSUMER_002)", default: "1000" },
  { slice: "consumers", key: "stuck-after", kind: "duration", direction: "above", scope: "metadata", field: "stuckAfterMs", compares: "how long messages are pending with the delivered sequence unmoved (history)", default: "5m" },
  { slice: "consumers", key: "wedged-after", kind: "duration", direction: "above", scope: "metadata", field: "wedgedAfterMs", compares: "how long deliveries go on (or ack pending is at its limit) with the ack floor unmoved (history)", default: "5m" },
  { slice: "consumers", key: "ack-pending-warn-percent", kind: "integer", direction: "at-or-above", scope: "metadata", field: "ackPendingWarnPercent", compares: "`num_ack_pending` as a percentage of `max_ack_pending`", default: "80" },
  { slice: "consumers", key: "enabled", kind: "bool", scope: "metadata", compares: "`false` opts the consumer out of every check", default: "true" },
  // ---- consumers: configuration only
  { slice: "consumers", key: "include-ephemeral", kind: "bool", scope: "config", field: "includeEphemeral", compares: "`true` judges ephemeral consumers too (KV watchers, ordered consumers, mirror and source internals)", default: "false" },
  { slice: "consumers", key: "backlog-runs", kind: "integer", direction: "above", scope: "config", field: "backlogRuns", min: 1, compares: "runs in a row in which `num_pending` grew (backlog growing)", default: "5" },
  { slice: "consumers", key: "backlog-factor", kind: "integer", direction: "above", scope: "config", field: "backlogFactor", min: 1, compares: "growth of `num_pending` over those runs (backlog growing)", default: "2" },
  // ---- servers (configuration only: servers carry no metadata)
  { slice: "servers", key: "memory-warn-percent", kind: "integer", direction: "above", scope: "config", field: "memoryWarnPct", min: 1, compares: "JetStream memory as a percentage of reserved (SERVER_005) and of max_memory_store", default: "90" },
  { slice: "servers", key: "memory-critical-percent", kind: "integer", direction: "above", scope: "config", field: "memoryCriticalPct", min: 1, compares: "JetStream memory as a percentage of reserved (JETSTREAM_007) and of max_memory_store", default: "95" },
  { slice: "servers", key: "storage-warn-percent", kind: "integer", direction: "above", scope: "config", field: "storageWarnPct", min: 1, compares: "JetStream storage as a percentage of reserved (SERVER_017) and of max_file_store (SERVER_019)", default: "90" },
  { slice: "servers", key: "storage-critical-percent", kind: "integer", direction: "above", scope: "config", field: "storageCriticalPct", min: 1, compares: "JetStream storage as a percentage of max_file_store (SERVER_019)", default: "95" },
  { slice: "servers", key: "cpu-per-core-warn-percent", kind: "integer", direction: "above", scope: "config", field: "cpuPerCoreWarnPct", min: 1, compares: "CPU divided by cores (SERVER_003)", default: "90" },
  { slice: "servers", key: "connections-warn-percent", kind: "integer", direction: "above", scope: "config", field: "connectionsWarnPct", min: 1, compares: "connections as a percentage of max_connections (SERVER_011)", default: "80" },
  { slice: "servers", key: "route-rtt-warn", kind: "duration", direction: "above", scope: "config", field: "routeRttWarnMs", compares: "each route's RTT (SERVER_010)", default: "50ms" },
  { slice: "servers", key: "gateway-rtt-warn", kind: "duration", direction: "above", scope: "config", field: "gatewayRttWarnMs", compares: "each outbound gateway's RTT (SERVER_018)", default: "50ms" },
  { slice: "servers", key: "leaf-rtt-warn", kind: "duration", direction: "above", scope: "config", field: "leafRttWarnMs", compares: "each leaf link's RTT (LEAF_002)", default: "100ms" },
  { slice: "servers", key: "meta-pending-warn", kind: "integer", direction: "above", scope: "config", field: "metaPendingWarn", min: 0, compares: "the meta leader's pending entries (META_008)", default: "500" },
  { slice: "servers", key: "restart-alert-for", kind: "duration", direction: "above", scope: "config", field: "restartAlertForMs", compares: "how long SERVER_008 and an upgrade notice stay after the new start", default: "10m" },
  { slice: "servers", key: "crash-loop-starts", kind: "integer", direction: "above", scope: "config", field: "crashLoopStarts", min: 1, compares: "start times seen inside `crash-loop-window` (SERVER_009)", default: "2" },
  { slice: "servers", key: "crash-loop-window", kind: "duration", scope: "config", field: "crashLoopWindowMs", compares: "the window SERVER_009 counts start times in", default: "1h" },
  { slice: "servers", key: "forget-after", kind: "duration", direction: "above", scope: "config", field: "forgetAfterMs", compares: "how long a silent server, lost gateway or leaf link is named", default: "24h" },
  { slice: "servers", key: "creds-warn", kind: "duration", direction: "below", scope: "config", field: "credsWarnMs", compares: "time left before the monitor's user JWT or its account's JWT expires (warning)", default: "14d" },
  { slice: "servers", key: "creds-critical", kind: "duration", direction: "below", scope: "config", field: "credsCriticalMs", compares: "time left before the monitor's user JWT or its account's JWT expires (critical)", default: "3d" },
];

/** The rows of one slice and scope. */
export const thresholdsOf = (slice: SliceName, scope: ThresholdDefinition["scope"]): ThresholdDefinition[] =>
  THRESHOLDS.filter((t) => t.slice === slice && t.scope === scope);

/** One row; throws for a key the table lacks (a programming error, not a user's). */
export function thresholdDefinition(slice: SliceName, key: string): ThresholdDefinition {
  const t = THRESHOLDS.find((d) => d.slice === slice && d.key === key);
  if (!t) throw new Error(`no threshold ${slice}.${key} in lib/thresholds/table.ts`);
  return t;
}
