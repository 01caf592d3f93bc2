// JETSTREAM_015, mirror stalled at zero lag: the one stream check that needs history. A mirror
// whose link is cut keeps reporting lag 0 while `active` grows; what gives it away is its source
// moving on meanwhile. Pure: the previous run's mark comes in, this run's goes out.
import type { Finding } from "../../findings/finding.ts";
import type { StreamsSnapshot, StreamView } from "../../snapshot/streams.ts";
import { streamKey } from "../../snapshot/streams.ts";
import { formatDuration } from "../../thresholds/duration.ts";
import { finding } from "../catalog.ts";
import { label, subjectOf } from "../stream-subject.ts";
import type { UpstreamIndex } from "./upstream-index.ts";

/** One mirror's memory of its source, kept in the streams observation. */
export interface MirrorMark {
  /** Stream key of the source the mirror resolved to. */
  source: string;
  /** The source's last sequence when the mirror was last seen active (or first seen stalled). */
  seq: number;
  /** When that sequence was observed. */
  at: number;
}

export interface StallResult {
  finding?: Finding;
  /** The mark to keep for the next run (undefined: nothing worth keeping). */
  mark?: MirrorMark;
}

const seenText = (activeMs: number) => (activeMs < 0 ? "never" : `${formatDuration(activeMs)} ago`);

export function checkMirrorStall(
  snap: Pick<StreamsSnapshot, "cluster" | "domain" | "collectedAt">,
  v: StreamView,
  index: UpstreamIndex,
  previous: MirrorMark | undefined,
  stallAfterMs: number,
): StallResult {
  const m = v.mirror;
  if (!m) return {};
  const stale = m.activeMs >= 0 ? m.activeMs > stallAfterMs : v.ageMs !== undefined && v.ageMs > stallAfterMs;
  const active_ms = m.activeMs < 0 ? -1 : Math.round(m.activeMs);
  const r = index.resolve(v, m);
  if ("reason" in r) {
    // Whether the source advanced is unknown: say so rather than stay silent.
    const out: StallResult = {};
    if (previous) out.mark = previous;
    if (stale && m.lag === 0) {
      out.finding = finding(
        "mirror_stalled",
        subjectOf(snap, v, { source: m.name }),
        `${label(v)}: mirror reports lag 0 but its source ${m.name} was last heard from ${seenText(m.activeMs)} (stall threshold ${formatDuration(stallAfterMs)}); cannot tell whether the source advanced: ${r.reason}`,
        { active_ms, threshold_ms: stallAfterMs, lag: 0, source_resolved: false, reason: r.reason },
        "warning",
      );
    }
    return out;
  }
  const src = r.view;
  const srcKey = streamKey(src);
  // A source that went backwards (recreated, purged lower) starts a new mark.
  const base = previous && previous.source === srcKey && src.lastSeq >= previous.seq ? previous : undefined;
  // The mark keeps the source's position from when the mirror was last active, so a stall stays
  // visible while it lasts even if the source pauses between two runs.
  const mark = !stale || !base ? { source: srcKey, seq: src.lastSeq, at: snap.collectedAt } : base;
  if (!stale || m.lag !== 0 || !base || src.lastSeq <= base.seq) return { mark };
  const where = src.domain && src.domain !== v.domain ? ` (domain ${src.domain})` : "";
  return {
    mark,
    finding: finding(
      "mirror_stalled",
      subjectOf(snap, v, { source: m.name }),
      `${label(v)}: mirror reports lag 0 but was last heard from ${seenText(m.activeMs)} (threshold ${formatDuration(stallAfterMs)}) while its source ${label(src)}${where} advanced from sequence ${base.seq} to ${src.lastSeq}; the mirror holds ${v.lastSeq}`,
      {
        active_ms,
        threshold_ms: stallAfterMs,
        lag: 0,
        source_last_seq: src.lastSeq,
        source_seq_before: base.seq,
        source_seq_at: base.at,
        mirror_last_seq: v.lastSeq,
        source_resolved: true,
      },
    ),
  };
}
