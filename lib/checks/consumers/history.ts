// What only history can see: a consumer stuck (pending, delivered sequence unmoved across runs), its
// handlers wedged (deliveries go on, the ack floor does not move) and a backlog growing run after
// run. One compact mark per judged consumer carries the clocks from run to run.
import type { Finding } from "../../findings/finding.ts";
import type { ConsumersSnapshot, ConsumerView } from "../../snapshot/consumers.ts";
import { formatDuration } from "../../thresholds/duration.ts";
import type { ConsumerThresholds } from "../../thresholds/consumer-keys.ts";
import { consumerFinding } from "./defs.ts";
import { consumerLabel, consumerSubject } from "./subject.ts";

/** One point of the backlog series: [at, num_pending, stream last sequence, delivered stream sequence]. */
export type BacklogPoint = [number, number, number, number];

export interface ConsumerMark {
  /** Delivered stream sequence, and since when (epoch ms) it has had this value. */
  d: number;
  ds: number;
  /** Since when messages have been pending while `d` stood still (the stuck clock); unset: none pending. */
  ps?: number;
  /**
   * Ack floor stream sequence, since when it has stood still with something outstanding, and the
   * delivered sequence at that time.
   */
  a: number;
  as: number;
  da: number;
  /** Delivered beyond the stream's last sequence in this run (CONSUMER_005 needs two runs in a row). */
  ahead?: true;
  /** num_pending of consecutive runs in which it grew (the last K+1 at most). */
  b?: BacklogPoint[];
}

export interface HistoryLimits {
  backlogRuns: number;
  backlogFactor: number;
}

const rate = (delta: number, ms: number): number => (ms > 0 ? Math.round((delta * 1000 * 10) / ms) / 10 : 0);

/** Judges a consumer against its previous mark; returns the mark for the next run. */
export function checkHistory(
  snap: ConsumersSnapshot,
  v: ConsumerView,
  t: ConsumerThresholds,
  lim: HistoryLimits,
  prev: ConsumerMark | undefined,
  out: Finding[],
): ConsumerMark {
  const now = snap.collectedAt;
  const d = v.delivered.streamSeq;
  const a = v.ackFloor.streamSeq;
  const same = prev !== undefined && prev.d === d;
  const mark: ConsumerMark = { d, ds: same ? prev.ds : now, a, as: now, da: d };
  // The ack floor's clock runs only while something was outstanding: a caught-up consumer's floor
  // stands still because nothing was delivered, and a burst after an idle hour is not an hour-old wedge.
  if (prev !== undefined && prev.a === a && prev.d !== prev.a) {
    mark.as = prev.as;
    mark.da = prev.da;
  }
  const atLimit = v.maxAckPending !== undefined && v.numAckPending >= v.maxAckPending && v.ackPolicy !== "none";
  // A paused consumer is not stuck, and its clocks restart when it resumes.
  if (v.numPending > 0 && !v.paused) mark.ps = same && prev.ps !== undefined ? prev.ps : now;
  const label = consumerLabel(v);

  if (mark.ps !== undefined && !atLimit && t.stuckAfterMs !== undefined && now - mark.ps > t.stuckAfterMs) {
    out.push(
      consumerFinding(
        "consumer_stuck",
        consumerSubject(snap, v),
        `${label}: ${v.numPending} message(s) pending and nothing delivered for ${formatDuration(now - mark.ps)} (delivered stream sequence ${d} since then; stream at ${v.streamLastSeq ?? "?"}; threshold ${formatDuration(t.stuckAfterMs)})${v.deliverSubject ? `; push consumer${v.numWaiting ? "" : ", is its subscriber gone?"}` : `; ${v.numWaiting} pull request(s) waiting`}`,
        {
          pending: v.numPending,
          delivered_stream_seq: d,
          stuck_ms: now - mark.ps,
          threshold_ms: t.stuckAfterMs,
          stream_last_seq: v.streamLastSeq ?? null,
          waiting: v.numWaiting,
        },
      ),
    );
  }

  const continuing = d > mark.da || atLimit;
  if (
    !v.paused &&
    v.ackPolicy !== "none" &&
    v.numAckPending > 0 &&
    continuing &&
    t.wedgedAfterMs !== undefined &&
    now - mark.as > t.wedgedAfterMs
  ) {
    const how =
      d > mark.da
        ? `${d - mark.da} message(s) delivered since (stream sequence ${mark.da} -> ${d})`
        : `ack pending at its limit ${v.maxAckPending}`;
    out.push(
      consumerFinding(
        "consumer_wedged",
        consumerSubject(snap, v),
        `${label}: ack floor stuck at stream sequence ${a} for ${formatDuration(now - mark.as)} while ${how}; ${v.numAckPending} awaiting acknowledgement (threshold ${formatDuration(t.wedgedAfterMs)})`,
        {
          ack_floor_stream_seq: a,
          unmoved_ms: now - mark.as,
          delivered_since: d - mark.da,
          ack_pending: v.numAckPending,
          max_ack_pending: v.maxAckPending ?? null,
          threshold_ms: t.wedgedAfterMs,
        },
      ),
    );
  }

  const point: BacklogPoint = [now, v.numPending, v.streamLastSeq ?? 0, d];
  const series = prev?.b;
  const last = series?.[series.length - 1];
  mark.b =
    !v.paused && series && last && v.numPending > last[1] ? [...series, point].slice(-(lim.backlogRuns + 1)) : [point];
  const b = mark.b;
  if (b.length >= lim.backlogRuns + 1 && lim.backlogRuns > 0) {
    const [t0, p0, s0, d0] = b[0]!;
    const dt = now - t0;
    if (v.numPending > lim.backlogFactor * Math.max(p0, 1)) {
      const inRate = rate(point[2] - s0, dt);
      const outRate = rate(d - d0, dt);
      out.push(
        consumerFinding(
          "consumer_backlog_growing",
          consumerSubject(snap, v),
          `${label}: backlog grew in each of the last ${b.length - 1} runs, ${p0} -> ${v.numPending} over ${formatDuration(dt)} (in ${inRate}/s, out ${outRate}/s)${outRate < inRate ? ": at this rate it never catches up" : ""}`,
          {
            pending_start: p0,
            pending_end: v.numPending,
            window_ms: dt,
            in_per_s: inRate,
            out_per_s: outRate,
            runs: b.length - 1,
          },
        ),
      );
    }
  }
  // Only consumers whose backlog is growing carry a series: the document stays small.
  if (b.length === 1 && v.numPending === 0) delete mark.b;
  return mark;
}
