// The `io.nats.monitor.*` thresholds of one stream, from one table. Precedence, per key:
//   1. the stream's metadata `io.nats.monitor.<key>` (servers 2.10+),
//   2. configuration overrides whose account and stream globs match (a later override wins),
//   3. configuration defaults.
// A value <= 0 turns its check off. A value that does not parse is reported (threshold_invalid) and
// the next source in that order applies, so one typo neither disables central policy nor stops the
// stream's other checks.
import type { StreamOverride, StreamThresholdConfig } from "../config/config.ts";
import { parseDurationMs } from "./duration.ts";
import { MONITOR_PREFIX, sharedResolution } from "./shared-resolution.ts";
import { thresholdsOf, type ThresholdKind } from "./table.ts";

export { MONITOR_PREFIX };

/** Typed thresholds of one stream, each named with its unit; undefined: off. */
export interface StreamThresholds {
  peerSeenCriticalMs?: number;
  peerLagCritical?: number;
  peerExpect?: number;
  seenCriticalMs?: number;
  lagCritical?: number;
  minSources?: number;
  maxSources?: number;
  msgsWarn?: number;
  msgsCritical?: number;
  subjectsWarn?: number;
  subjectsCritical?: number;
}

interface KeySpec {
  key: string;
  kind: ThresholdKind;
  field?: keyof StreamThresholds;
}

/** Every stream key the monitor reads, with its type and where it lands: the table's stream metadata rows. */
export const STREAM_KEYS: readonly KeySpec[] = thresholdsOf("streams", "metadata").map((t) => ({
  key: t.key,
  kind: t.kind,
  ...(t.field ? { field: t.field as keyof StreamThresholds } : {}),
}));
const BY_KEY = new Map(STREAM_KEYS.map((k) => [k.key, k]));

/** Consumer keys live in the same namespace; the streams slice leaves them alone (the consumers slice adds its rows to the table). */
const CONSUMER_KEYS = new Set([
  "outstanding-ack-critical",
  "waiting-critical",
  "unprocessed-critical",
  "last-delivery-critical",
  "last-ack-critical",
  "redelivery-critical",
  "pinned",
]);

export type ThresholdOrigin = "metadata" | "override" | "default";

export interface InvalidThreshold {
  key: string;
  value: string;
  origin: ThresholdOrigin;
  reason: string;
}

export interface ResolvedThresholds {
  /** `enabled=false` opts the stream out of every check. */
  enabled: boolean;
  values: StreamThresholds;
  /** Where each value that applies came from. */
  origin: Partial<Record<string, ThresholdOrigin>>;
  invalid: InvalidThreshold[];
}

type Parsed = { value: number | boolean | undefined } | { error: string };

const GO_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const GO_FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** Parses one value for `key` (without the prefix). `value: undefined` means the check is off. */
export function parseMonitorValue(key: string, text: string): Parsed {
  const spec = BY_KEY.get(key);
  if (!spec) return { error: CONSUMER_KEYS.has(key) ? "a consumer key, not read on streams" : "unknown key" };
  const t = text.trim();
  switch (spec.kind) {
    case "duration": {
      const ms = parseDurationMs(t);
      if (ms instanceof Error) return { error: ms.message };
      return { value: ms > 0 ? ms : undefined };
    }
    case "integer": {
      if (!/^[+-]?\d+$/.test(t)) return { error: `"${text}" is not a whole number` };
      const n = Number(t);
      return { value: n > 0 ? n : undefined };
    }
    case "bool":
      if (GO_TRUE.has(t)) return { value: true };
      if (GO_FALSE.has(t)) return { value: false };
      return { error: `"${text}" is not true or false` };
  }
}

/** Problems with configured values (defaults or overrides), for configuration loading. */
export function validateMonitorValues(values: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    const p = parseMonitorValue(k, v);
    if ("error" in p)
      out.push(
        `${k}: ${p.error}${p.error === "unknown key" ? ` (known: ${STREAM_KEYS.map((s) => s.key).join(", ")})` : ""}`,
      );
  }
  return out;
}

const globCache = new Map<string, RegExp>();
/** `*` matches any run of characters, `?` one; everything else literally. */
export function globMatch(glob: string, name: string): boolean {
  let re = globCache.get(glob);
  if (!re) {
    const body = glob
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".");
    re = new RegExp(`^${body}$`);
    globCache.set(glob, re);
  }
  return re.test(name);
}

const matching = (overrides: readonly StreamOverride[], account: string, stream: string): StreamOverride[] =>
  overrides.filter((o) => (o.account === undefined || globMatch(o.account, account)) && globMatch(o.stream, stream));

/**
 * Resolves a stream's thresholds from its metadata, the overrides and the defaults. Most streams
 * carry no `io.nats.monitor.*` metadata: those share one resolution per set of matching overrides,
 * parsed once per configuration (the result is shared: treat it as read-only).
 */
export function resolveStreamThresholds(
  account: string,
  stream: string,
  metadata: Readonly<Record<string, string>> | undefined,
  config: StreamThresholdConfig,
): Readonly<ResolvedThresholds> {
  const applicable = matching(config.overrides, account, stream).reverse(); // later wins: look at it first
  return sharedResolution(config, applicable, metadata, (a, m) => resolveFrom(a, m, config));
}

function resolveFrom(
  applicable: readonly StreamOverride[],
  metadata: Readonly<Record<string, string>> | undefined,
  config: StreamThresholdConfig,
): ResolvedThresholds {
  const out: ResolvedThresholds = { enabled: true, values: {}, origin: {}, invalid: [] };
  for (const spec of STREAM_KEYS) {
    const candidates: [ThresholdOrigin, string | undefined][] = [
      ["metadata", metadata?.[MONITOR_PREFIX + spec.key]],
      ...applicable.map((o): [ThresholdOrigin, string | undefined] => ["override", o.values[spec.key]]),
      ["default", config.defaults[spec.key]],
    ];
    for (const [origin, text] of candidates) {
      if (text === undefined) continue;
      const p = parseMonitorValue(spec.key, text);
      if ("error" in p) {
        out.invalid.push({ key: spec.key, value: text, origin, reason: p.error });
        continue;
      }
      out.origin[spec.key] = origin;
      if (spec.kind === "bool") out.enabled = p.value !== false;
      else if (spec.field && typeof p.value === "number") out.values[spec.field] = p.value;
      break;
    }
  }
  // Keys in the namespace that mean nothing here are most likely typos of ones that do.
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) {
      if (!k.startsWith(MONITOR_PREFIX)) continue;
      const key = k.slice(MONITOR_PREFIX.length);
      if (!BY_KEY.has(key) && !CONSUMER_KEYS.has(key))
        out.invalid.push({ key, value: v, origin: "metadata", reason: "unknown key" });
    }
  }
  return out;
}

export type Direction = "above" | "below";

/**
 * Which way a `msgs-*` or `subjects-*` pair points, as jsm.go reads them (their table rows say
 * `warn-critical-order`; every other threshold states its direction in lib/thresholds/table.ts).
 * Both set: critical above warning means more is worse, critical below warning means fewer is worse
 * (equal: more is worse). One set: more is worse; to alert on too few, set both with the warning
 * above the critical. Kept so that streams annotated for `nats server check` mean the same here.
 */
export function directionOf(warn: number | undefined, crit: number | undefined): Direction {
  return warn !== undefined && crit !== undefined && crit < warn ? "below" : "above";
}
