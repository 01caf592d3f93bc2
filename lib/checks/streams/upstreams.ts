// Mirror and source checks: replication errors, upstreams not seen or lagging, a mirror stalled at
// zero lag (history), and the number of sources. Only a stream's leader reports its upstreams.
import type { StreamUpstream, StreamView } from "../../snapshot/streams.ts";
import { streamKey } from "../../snapshot/streams.ts";
import { formatDuration } from "../../thresholds/duration.ts";
import { finding } from "../catalog.ts";
import { label, subjectOf } from "../stream-subject.ts";
import { checkMirrorStall } from "./mirror-stall.ts";
import type { StreamCheck } from "./run.ts";
import { neverHeardFor } from "./upstream-unheard.ts";

type Kind = "mirror" | "source";

const NONE: readonly [StreamUpstream, Kind][] = [];

/** The mirror first, then each source. */
function upstreamsOf(v: StreamView): readonly [StreamUpstream, Kind][] {
  if (!v.mirror && !v.sources.length) return NONE;
  const out: [StreamUpstream, Kind][] = v.mirror ? [[v.mirror, "mirror"]] : [];
  for (const s of v.sources) out.push([s, "source"]);
  return out;
}

const describe = (u: StreamUpstream, kind: Kind) =>
  `${kind === "mirror" ? `mirror of ${u.name}` : `source ${u.name}`}${u.api ? ` via ${u.api}` : ""}`;

/** An error the server reports on the mirror or a source (jsm.go ignores it). */
export const replicationError: StreamCheck = (v, _t, run) => {
  for (const [u, kind] of upstreamsOf(v)) {
    if (!u.error) continue;
    run.out.push(
      finding(
        "replication_error",
        subjectOf(run.snap, v, { source: u.name }),
        `${label(v)}: ${describe(u, kind)} reports an error: ${u.error}`,
        { kind, error: u.error, lag: u.lag, active_ms: u.activeMs < 0 ? -1 : Math.round(u.activeMs) },
      ),
    );
  }
};

/** JETSTREAM_018 (mirror) and source seen: not heard from for longer than `seen-critical`, or never. */
export const upstreamSeen: StreamCheck = (v, { values, origin }, run) => {
  const seen = values.seenCriticalMs;
  if (seen === undefined) return;
  for (const [u, kind] of upstreamsOf(v)) {
    const id = kind === "mirror" ? "mirror_seen" : "source_seen";
    const subject = subjectOf(run.snap, v, { source: u.name });
    const thresholdOrigin = origin["seen-critical"] ?? null;
    if (u.activeMs >= 0) {
      if (u.activeMs <= seen) continue;
      run.out.push(
        finding(
          id,
          subject,
          `${label(v)}: ${describe(u, kind)} last heard from ${formatDuration(u.activeMs)} ago (threshold ${formatDuration(seen)}); lag ${u.lag}`,
          { active_ms: Math.round(u.activeMs), threshold_ms: seen, threshold_origin: thresholdOrigin, lag: u.lag },
        ),
      );
      continue;
    }
    // jsm.go lets -1 pass its `>=` test: a mirror that never connected is the worst case, not a pass.
    // A new leader reports -1 until its own consumer runs: timed from its election, not the stream's birth.
    const never = neverHeardFor(v, u, run.snap.collectedAt, run.after.upstreams);
    if (!never || v.ageMs === undefined || never.ms <= seen) continue;
    const text =
      never.basis === "age"
        ? `was never heard from; the stream is ${formatDuration(v.ageMs)} old`
        : never.basis === "leader"
          ? `has not been heard from since ${v.leader} became the stream's leader ${formatDuration(never.ms)} ago`
          : `has not been heard from by leader ${v.leader} for at least ${formatDuration(never.ms)} (seen across runs; the server does not say when it was elected)`;
    run.out.push(
      finding(id, subject, `${label(v)}: ${describe(u, kind)} ${text} (threshold ${formatDuration(seen)})`, {
        active_ms: -1,
        age_ms: Math.round(v.ageMs),
        unheard_ms: Math.round(never.ms),
        leader_for_ms: v.leaderForMs ?? null,
        threshold_ms: seen,
        threshold_origin: thresholdOrigin,
        lag: u.lag,
      }),
    );
  }
};

/** JETSTREAM_017 (mirror) and source lag: more messages behind than `lag-critical`. */
export const upstreamLag: StreamCheck = (v, { values, origin }, run) => {
  const lagMax = values.lagCritical;
  if (lagMax === undefined) return;
  for (const [u, kind] of upstreamsOf(v)) {
    if (u.lag <= lagMax) continue;
    run.out.push(
      finding(
        kind === "mirror" ? "mirror_lag" : "source_lag",
        subjectOf(run.snap, v, { source: u.name }),
        `${label(v)}: ${describe(u, kind)} is ${u.lag} messages behind (threshold ${lagMax})`,
        { lag: u.lag, threshold: lagMax, threshold_origin: origin["lag-critical"] ?? null },
      ),
    );
  }
};

/** JETSTREAM_015: lag 0, silent past `mirror-stall-after`, while its source moved on (mirror-stall.ts). */
export const mirrorStalled: StreamCheck = (v, _t, run) => {
  if (!v.mirror) return;
  const key = streamKey(v);
  // A mirror unheard only since its leader moved is not stalled for longer than that either.
  const never = neverHeardFor(v, v.mirror, run.snap.collectedAt, run.after.upstreams);
  const stall = checkMirrorStall(
    run.snap,
    never ? { ...v, ageMs: never.ms } : v,
    run.index,
    run.before.mirrors[key],
    run.config.mirrorStallAfterMs,
  );
  if (stall.finding) run.out.push(stall.finding);
  if (stall.mark) run.after.mirrors[key] = stall.mark;
};

/** JETSTREAM_019 / JETSTREAM_020: fewer sources than `min-sources`, more than `max-sources`. */
export const sourceCount: StreamCheck = (v, { values, origin }, run) => {
  const n = v.sources.length;
  if (values.minSources !== undefined && n < values.minSources) {
    run.out.push(
      finding(
        "sources_min",
        subjectOf(run.snap, v),
        `${label(v)} has ${n} source(s), fewer than ${values.minSources}`,
        { sources: n, threshold: values.minSources, threshold_origin: origin["min-sources"] ?? null },
      ),
    );
  }
  if (values.maxSources !== undefined && n > values.maxSources) {
    run.out.push(
      finding("sources_max", subjectOf(run.snap, v), `${label(v)} has ${n} source(s), more than ${values.maxSources}`, {
        sources: n,
        threshold: values.maxSources,
        threshold_origin: origin["max-sources"] ?? null,
      }),
    );
  }
};

/** This family's checks, in the order they run. */
export const UPSTREAM_CHECKS: readonly StreamCheck[] = [
  replicationError,
  upstreamSeen,
  upstreamLag,
  mirrorStalled,
  sourceCount,
];
