// The consumers slice's thresholds. Per key, as for streams: 1. the consumer's metadata
// `io.nats.monitor.<key>` (servers 2.10+), 2. `thresholds.consumers.overrides` whose account,
// stream and consumer globs match (a later one wins), 3. `thresholds.consumers.defaults`.
// A value <= 0 turns its check off; a value that does not parse is reported and the next source
// applies. The keys are rows of lib/thresholds/table.ts; this file resolves them per consumer.
import { parseDurationMs } from "./duration.ts";
import { globMatch } from "./monitor-keys.ts";
import { MONITOR_PREFIX, sharedResolution } from "./shared-resolution.ts";
import { thresholdsOf, type ThresholdDefinition } from "./table.ts";

/** Typed thresholds of one consumer; undefined: off. */
export interface ConsumerThresholds {
  outstandingAckCritical?: number;
  waitingCritical?: number;
  unprocessedCritical?: number;
  lastDeliveryCriticalMs?: number;
  lastAckCriticalMs?: number;
  redeliveryCritical?: number;
  /** `pinned=true`: the consumer must use the `pinned_client` priority policy. */
  pinned?: boolean;
  peerSeenCriticalMs?: number;
  peerLagWarning?: number;
  /** Stuck: pending > 0 and the delivered sequence unmoved for longer than this (history). */
  stuckAfterMs?: number;
  /** Wedged: deliveries go on (or ack pending sits at its limit) and the ack floor unmoved for longer. */
  wedgedAfterMs?: number;
  /** Ack pending at or above this percentage of max_ack_pending is a warning. */
  ackPendingWarnPercent?: number;
}

/** The consumer metadata rows of lib/thresholds/table.ts: key, kind and the typed field each fills. */
export const CONSUMER_KEYS: readonly ThresholdDefinition[] = thresholdsOf("consumers", "metadata");
const BY_KEY = new Map(CONSUMER_KEYS.map((k) => [k.key, k]));

/** Defaults from the rows (what `thresholds.consumers.defaults` starts from). */
export const CONSUMER_DEFAULTS: Readonly<Record<string, string>> = Object.fromEntries(
  CONSUMER_KEYS.filter((k) => k.default !== "off" && k.key !== "enabled").map((k) => [k.key, k.default]),
);

/** Keys a stream's metadata may carry that this table does not read (they are the streams slice's). */
const STREAM_ONLY = new Set([
  "peer-lag-critical",
  "peer-expect",
  "seen-critical",
  "lag-critical",
  "min-sources",
  "max-sources",
  "msgs-warn",
  "msgs-critical",
  "subjects-warn",
  "subjects-critical",
]);

export interface ConsumerOverride {
  account?: string;
  stream?: string;
  consumer?: string;
  values: Record<string, string>;
}

export interface ConsumerThresholdConfig {
  defaults: Record<string, string>;
  overrides: ConsumerOverride[];
  /** Judge ephemeral (and so internal) consumers too: KV watchers, ordered consumers, mirror/source internals. */
  includeEphemeral: boolean;
  /** Backlog growing: `num_pending` grew in each of the last this many runs... */
  backlogRuns: number;
  /** ...and by more than this factor over them. */
  backlogFactor: number;
}

export const DEFAULT_CONSUMER_THRESHOLDS: ConsumerThresholdConfig = {
  defaults: { ...CONSUMER_DEFAULTS },
  overrides: [],
  includeEphemeral: false,
  backlogRuns: 5,
  backlogFactor: 2,
};

export type ConsumerOrigin = "metadata" | "override" | "default";

export interface ResolvedConsumerThresholds {
  enabled: boolean;
  values: ConsumerThresholds;
  origin: Partial<Record<string, ConsumerOrigin>>;
  invalid: { key: string; value: string; origin: ConsumerOrigin; reason: string }[];
}

const GO_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const GO_FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

type Parsed = { value: number | boolean | undefined } | { error: string };

export function parseConsumerValue(key: string, text: string): Parsed {
  const row = BY_KEY.get(key);
  if (!row) return { error: STREAM_ONLY.has(key) ? "a stream key, not read on consumers" : "unknown key" };
  const t = text.trim();
  if (row.kind === "duration") {
    const ms = parseDurationMs(t);
    if (ms instanceof Error) return { error: ms.message };
    return { value: ms > 0 ? ms : undefined };
  }
  if (row.kind === "integer") {
    if (!/^[+-]?\d+$/.test(t)) return { error: `"${text}" is not a whole number` };
    const n = Number(t);
    return { value: n > 0 ? n : undefined };
  }
  if (GO_TRUE.has(t)) return { value: true };
  if (GO_FALSE.has(t)) return { value: false };
  return { error: `"${text}" is not true or false` };
}

/** Problems with configured values, for configuration loading. */
export function validateConsumerValues(values: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    const p = parseConsumerValue(k, v);
    if ("error" in p)
      out.push(
        `${k}: ${p.error}${p.error === "unknown key" ? ` (known: ${CONSUMER_KEYS.map((r) => r.key).join(", ")})` : ""}`,
      );
  }
  return out;
}

const matches = (o: ConsumerOverride, account: string, stream: string, consumer: string): boolean =>
  (o.account === undefined || globMatch(o.account, account)) &&
  (o.stream === undefined || globMatch(o.stream, stream)) &&
  (o.consumer === undefined || globMatch(o.consumer, consumer));

/**
 * Resolves one consumer's thresholds from its metadata, the overrides and the defaults. Most
 * consumers carry no `io.nats.monitor.*` metadata: those share one resolution per set of matching
 * overrides, parsed once per configuration (the result is shared: treat it as read-only).
 */
export function resolveConsumerThresholds(
  where: { account: string; stream: string; name: string },
  metadata: Readonly<Record<string, string>> | undefined,
  config: ConsumerThresholdConfig,
): Readonly<ResolvedConsumerThresholds> {
  const applicable = config.overrides.filter((o) => matches(o, where.account, where.stream, where.name)).reverse();
  return sharedResolution(config, applicable, metadata, (a, m) => resolveFrom(a, m, config));
}

function resolveFrom(
  applicable: readonly ConsumerOverride[],
  metadata: Readonly<Record<string, string>> | undefined,
  config: ConsumerThresholdConfig,
): ResolvedConsumerThresholds {
  const out: ResolvedConsumerThresholds = { enabled: true, values: {}, origin: {}, invalid: [] };
  for (const row of CONSUMER_KEYS) {
    const candidates: [ConsumerOrigin, string | undefined][] = [
      ["metadata", metadata?.[MONITOR_PREFIX + row.key]],
      ...applicable.map((o): [ConsumerOrigin, string | undefined] => ["override", o.values[row.key]]),
      ["default", config.defaults[row.key]],
    ];
    for (const [origin, text] of candidates) {
      if (text === undefined) continue;
      const p = parseConsumerValue(row.key, text);
      if ("error" in p) {
        out.invalid.push({ key: row.key, value: text, origin, reason: p.error });
        continue;
      }
      out.origin[row.key] = origin;
      if (row.key === "enabled") out.enabled = p.value !== false;
      else if (row.field === "pinned") out.values.pinned = p.value === true;
      else if (row.field && typeof p.value === "number") (out.values as Record<string, number>)[row.field] = p.value;
      break;
    }
  }
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) {
      if (!k.startsWith(MONITOR_PREFIX)) continue;
      const key = k.slice(MONITOR_PREFIX.length);
      if (!BY_KEY.has(key))
        out.invalid.push({
          key,
          value: v,
          origin: "metadata",
          reason: STREAM_ONLY.has(key) ? "a stream key, not read on consumers" : "unknown key",
        });
    }
  }
  return out;
}
