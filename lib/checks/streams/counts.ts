// What a stream holds: messages and subjects against the owners' thresholds, and against the
// stream's own configured limits.
import type { StreamView } from "../../snapshot/streams.ts";
import { directionOf, type Direction } from "../../thresholds/monitor-keys.ts";
import { thresholdDefinition } from "../../thresholds/table.ts";
import { finding } from "../catalog.ts";
import { label, subjectOf } from "../stream-subject.ts";
import type { StreamCheck, StreamRun } from "./run.ts";

/** The pair's direction from the table; `warn-critical-order` is jsm.go's rule for msgs-* and subjects-*. */
function directionFor(key: string, warn: number | undefined, crit: number | undefined): Direction {
  const d = thresholdDefinition("streams", key).direction;
  if (d === "warn-critical-order") return directionOf(warn, crit);
  if (d === "above" || d === "at-or-above") return "above";
  if (d === "below") return d;
  throw new Error(`threshold streams.${key} has no count direction`);
}

function countCheck(
  run: StreamRun,
  v: StreamView,
  id: "stream_messages" | "stream_subjects",
  value: number,
  warn: number | undefined,
  crit: number | undefined,
  noun: string,
  keys: [string, string],
): void {
  if (warn === undefined && crit === undefined) return;
  const dir = directionFor(keys[0], warn, crit);
  const crosses = (x: number | undefined) => x !== undefined && (dir === "above" ? value >= x : value <= x);
  const level = crosses(crit) ? "critical" : crosses(warn) ? "warning" : undefined;
  if (!level) return;
  const threshold = level === "critical" ? crit! : warn!;
  const cmp = dir === "above" ? ">=" : "<=";
  run.out.push(
    finding(
      id,
      subjectOf(run.snap, v),
      `${label(v)} holds ${value} ${noun} (${level} ${cmp} ${threshold}, ${keys[level === "critical" ? 1 : 0]})`,
      { value, threshold, level, direction: dir, warn: warn ?? null, critical: crit ?? null },
      level,
    ),
  );
}

/** JETSTREAM_024: messages cross `msgs-warn` / `msgs-critical`. */
export const streamMessages: StreamCheck = (v, { values }, run) =>
  countCheck(run, v, "stream_messages", v.messages, values.msgsWarn, values.msgsCritical, "messages", [
    "msgs-warn",
    "msgs-critical",
  ]);

/** JETSTREAM_025: subjects cross `subjects-warn` / `subjects-critical`. */
export const streamSubjects: StreamCheck = (v, { values }, run) =>
  countCheck(run, v, "stream_subjects", v.subjects, values.subjectsWarn, values.subjectsCritical, "subjects", [
    "subjects-warn",
    "subjects-critical",
  ]);

/** The catalog's share of a configured limit at which JETSTREAM_003 and JETSTREAM_010 warn. */
export const LIMIT_SHARE = 0.9;

const percent = (used: number, limit: number) => `${Math.floor((used / limit) * 100)}%`;

/** JETSTREAM_003: messages >= 90% of the stream's `max_msgs` (only when it has one). */
export const messagesNearLimit: StreamCheck = (v, _t, run) => {
  const max = v.maxMsgs;
  if (max === undefined || max <= 0 || v.messages < LIMIT_SHARE * max) return;
  run.out.push(
    finding(
      "stream_messages_near_limit",
      subjectOf(run.snap, v),
      `${label(v)} holds ${v.messages} of at most ${max} messages (${percent(v.messages, max)}; warning at ${LIMIT_SHARE * 100}%)`,
      { messages: v.messages, max_msgs: max, share: v.messages / max, threshold_share: LIMIT_SHARE },
    ),
  );
};

/** JETSTREAM_010: bytes >= 90% of the stream's `max_bytes` (only when it has one). */
export const bytesNearLimit: StreamCheck = (v, _t, run) => {
  const max = v.maxBytes;
  if (max === undefined || max <= 0 || v.bytes < LIMIT_SHARE * max) return;
  run.out.push(
    finding(
      "stream_bytes_near_limit",
      subjectOf(run.snap, v),
      `${label(v)} holds ${v.bytes} of at most ${max} bytes (${percent(v.bytes, max)}; warning at ${LIMIT_SHARE * 100}%)`,
      { bytes: v.bytes, max_bytes: max, share: v.bytes / max, threshold_share: LIMIT_SHARE },
    ),
  );
};

/** This family's checks, in the order they run. */
export const COUNT_CHECKS: readonly StreamCheck[] = [streamMessages, streamSubjects, messagesNearLimit, bytesNearLimit];
