// What one report of a consumer shows by itself: its position against its stream (CONSUMER_004/005),
// the NATS tools' metadata thresholds (CONSUMER_006-012) and ack pending near its limit.
import type { Finding } from "../../findings/finding.ts";
import type { ConsumersSnapshot, ConsumerView } from "../../snapshot/consumers.ts";
import { formatDuration } from "../../thresholds/duration.ts";
import type { ResolvedConsumerThresholds } from "../../thresholds/consumer-keys.ts";
import { MONITOR_PREFIX } from "../../thresholds/monitor-keys.ts";
import { consumerFinding, type ConsumerCheckId } from "./defs.ts";
import { consumerLabel, consumerSubject } from "./subject.ts";

const clip = (text: string, max = 80): string =>
  text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;

export function checkThresholdsValid(
  snap: ConsumersSnapshot,
  v: ConsumerView,
  r: ResolvedConsumerThresholds,
  out: Finding[],
): void {
  if (!r.invalid.length) return;
  const parts = r.invalid.map(
    (i) =>
      `${i.origin === "metadata" ? MONITOR_PREFIX : ""}${i.key}=${clip(JSON.stringify(i.value))} (${clip(i.reason)}${i.origin !== "metadata" ? `, from ${i.origin}` : ""})`,
  );
  const first = r.invalid[0]!;
  out.push(
    consumerFinding(
      "consumer_threshold_invalid",
      consumerSubject(snap, v),
      `${consumerLabel(v)}: malformed threshold ${parts.join("; ")}; the consumer's other checks still run`,
      { key: first.key, value: clip(first.value), origin: first.origin, invalid: r.invalid.length },
    ),
  );
}

/**
 * CONSUMER_004 and CONSUMER_005. A server reports a stream's state before its consumers' info, so a
 * busy consumer can be caught a few messages past the last sequence reported with it: "ahead" fires
 * only when the previous run saw it ahead too (`wasAhead`). Returns whether it is ahead now.
 */
export function checkSequences(snap: ConsumersSnapshot, v: ConsumerView, wasAhead: boolean, out: Finding[]): boolean {
  const first = v.streamFirstSeq;
  const last = v.streamLastSeq;
  const d = v.delivered.streamSeq;
  // Below first-1: messages between were removed before delivery. A purge moves the consumer along
  // itself, so this is mostly limits or retention outrunning it. A filtered consumer with nothing
  // pending may simply have had no match among the removed messages.
  if (first !== undefined && first > 0 && d + 1 < first && !(v.filtered && v.numPending === 0)) {
    out.push(
      consumerFinding(
        "consumer_behind_stream",
        consumerSubject(snap, v),
        `${consumerLabel(v)}: delivered up to stream sequence ${d}, but the stream now starts at ${first}: ${first - 1 - d} message(s) removed before delivery`,
        { delivered_stream_seq: d, stream_first_seq: first, stream_last_seq: last ?? null, skipped: first - 1 - d },
      ),
    );
  }
  // Servers from 2.11 keep a start sequence beyond the stream's end: a consumer that has delivered
  // nothing and sits just before its configured start is waiting for it, not ahead of lost data.
  const waitingForStart = v.optStartSeq !== undefined && v.delivered.consumerSeq === 0 && d === v.optStartSeq - 1;
  const ahead = last !== undefined && d > last && !waitingForStart;
  if (ahead && wasAhead) {
    out.push(
      consumerFinding(
        "consumer_ahead_of_stream",
        consumerSubject(snap, v),
        `${consumerLabel(v)}: delivered up to stream sequence ${d}, beyond the stream's last sequence ${last}`,
        { delivered_stream_seq: d, stream_first_seq: first ?? null, stream_last_seq: last ?? null },
      ),
    );
  }
  return ahead;
}

function atLeast(
  snap: ConsumersSnapshot,
  v: ConsumerView,
  id: ConsumerCheckId,
  key: string,
  value: number,
  threshold: number | undefined,
  what: string,
  out: Finding[],
): void {
  if (threshold === undefined || value < threshold) return;
  out.push(
    consumerFinding(id, consumerSubject(snap, v), `${consumerLabel(v)}: ${what} ${value} (>= ${threshold}, ${key})`, {
      value,
      threshold,
    }),
  );
}

function ageCheck(
  snap: ConsumersSnapshot,
  v: ConsumerView,
  id: ConsumerCheckId,
  key: string,
  agoMs: number | undefined,
  threshold: number | undefined,
  what: string,
  out: Finding[],
): void {
  if (threshold === undefined) return;
  if (agoMs === undefined) {
    out.push(
      consumerFinding(
        id,
        consumerSubject(snap, v),
        `${consumerLabel(v)}: no ${what} reported yet (threshold ${formatDuration(threshold)}, ${key})`,
        { ago_ms: null, threshold_ms: threshold },
      ),
    );
  } else if (agoMs >= threshold) {
    out.push(
      consumerFinding(
        id,
        consumerSubject(snap, v),
        `${consumerLabel(v)}: last ${what} ${formatDuration(agoMs)} ago (>= ${formatDuration(threshold)}, ${key})`,
        { ago_ms: Math.round(agoMs), threshold_ms: threshold },
      ),
    );
  }
}

export function checkMetadataThresholds(
  snap: ConsumersSnapshot,
  v: ConsumerView,
  r: ResolvedConsumerThresholds,
  out: Finding[],
): void {
  const t = r.values;
  atLeast(
    snap,
    v,
    "consumer_outstanding_ack",
    "outstanding-ack-critical",
    v.numAckPending,
    t.outstandingAckCritical,
    "ack pending",
    out,
  );
  atLeast(
    snap,
    v,
    "consumer_waiting",
    "waiting-critical",
    v.numWaiting,
    t.waitingCritical,
    "waiting pull requests",
    out,
  );
  atLeast(
    snap,
    v,
    "consumer_redelivery",
    "redelivery-critical",
    v.numRedelivered,
    t.redeliveryCritical,
    "redelivered messages",
    out,
  );
  if (t.pinned && v.priorityPolicy !== "pinned_client") {
    out.push(
      consumerFinding(
        "consumer_pinned",
        consumerSubject(snap, v),
        `${consumerLabel(v)}: ${MONITOR_PREFIX}pinned=true but the priority policy is ${v.priorityPolicy ?? "none"}, not pinned_client`,
        { priority_policy: v.priorityPolicy ?? null },
      ),
    );
  }
  // A paused consumer delivers nothing by design: its backlog and silence are not faults.
  if (v.paused) return;
  atLeast(
    snap,
    v,
    "consumer_unprocessed",
    "unprocessed-critical",
    v.numPending,
    t.unprocessedCritical,
    "messages pending delivery",
    out,
  );
  ageCheck(
    snap,
    v,
    "consumer_last_delivery",
    "last-delivery-critical",
    v.delivered.agoMs,
    t.lastDeliveryCriticalMs,
    "delivery",
    out,
  );
  if (v.ackPolicy !== "none")
    ageCheck(
      snap,
      v,
      "consumer_last_ack",
      "last-ack-critical",
      v.ackFloor.agoMs,
      t.lastAckCriticalMs,
      "acknowledgement",
      out,
    );
}

export function checkAckPending(
  snap: ConsumersSnapshot,
  v: ConsumerView,
  percent: number | undefined,
  out: Finding[],
): void {
  const max = v.maxAckPending;
  if (percent === undefined || max === undefined || v.ackPolicy === "none") return;
  if (v.numAckPending * 100 < max * percent) return;
  const at = v.numAckPending >= max;
  out.push(
    consumerFinding(
      "consumer_ack_pending_high",
      consumerSubject(snap, v),
      `${consumerLabel(v)}: ${v.numAckPending} of max ${max} messages await acknowledgement (${Math.round((v.numAckPending * 100) / max)}%, threshold ${percent}%)${at ? ": delivery has stopped" : ""}`,
      {
        ack_pending: v.numAckPending,
        max_ack_pending: max,
        percent: Math.round((v.numAckPending * 100) / max),
        threshold_percent: percent,
      },
    ),
  );
}
