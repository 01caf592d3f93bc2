import { coveredStreams, coverKey, judgeStreams, type StreamsObservation } from "../checks/streams.ts";
import type { AlertState } from "../alerts/alert.ts";
import { collectStreams } from "../collect/streams.ts";
import { blindFanout, fanoutOptions } from "./fanout.ts";
import { subjectOf } from "../checks/stream-subject.ts";
import type { StreamsSnapshot } from "../snapshot/streams.ts";
import type { Slice } from "./slice.ts";

/** What a run judges of a stream that has no leader: its quorum, its thresholds and its counts. */
const JUDGED_WITHOUT_LEADER = new Set([
  "stream_quorum_lost",
  "threshold_invalid",
  "stream_messages",
  "stream_subjects",
  "stream_unavailable",
]);

export const streamsSlice: Slice<StreamsSnapshot, StreamsObservation> = {
  name: "streams",
  collect: (nc, ctx) => collectStreams(nc, ctx.config.mode, fanoutOptions(ctx)),
  blind: (reason, ctx) => ({ ...blindFanout(reason, ctx), streams: [] }),
  judge: (snap, prev, config) => ({ ...judgeStreams(snap, prev, config.thresholds.streams), covers: coverageOf(snap) }),
  perf: (snap) =>
    snap.blind
      ? []
      : [
          {
            name: "streams_judged",
            value: snap.streams.length,
            help: "Streams judged from their leader's view (or found leaderless).",
            min: 0,
          },
          {
            name: "streams_leaderless",
            value: snap.streams.filter((s) => s.status === "leaderless").length,
            help: "Streams without a leader.",
            critical: "0",
            min: 0,
          },
          {
            name: "streams_not_judged",
            value: snap.gaps.length,
            help: "Streams the run could not judge (silent leader, cut off by the deadline).",
            min: 0,
          },
          {
            name: "streams_servers_silent",
            value: snap.silent.length,
            help: "Servers that did not answer the fan-out.",
            min: 0,
          },
        ],
};

// A stream's alert clears only when this run judged that stream (from its leader, or found it
// leaderless): streams led by silent servers are never reported healthy by default. A leaderless
// stream (quorum lost) has nobody to judge its replicas, peer count, mirror or sources (only a
// leader reports them): those alerts stay open rather than resolve while the outage got worse.
// The sets are built once per run; covers() is then asked once per open alert.
function coverageOf(snap: StreamsSnapshot): (alert: AlertState) => boolean {
  const judged = snap.blind ? new Set<string>() : coveredStreams(snap);
  const headless = new Set(
    snap.streams.filter((v) => v.status === "leaderless").map((v) => coverKey(subjectOf(snap, v))),
  );
  return (alert) => {
    if (alert.finding.id === "monitor_blind") return true;
    if (snap.blind) return false;
    if (alert.finding.subject.stream === undefined) return true;
    const key = coverKey(alert.finding.subject);
    if (!JUDGED_WITHOUT_LEADER.has(alert.finding.id) && headless.has(key)) return false;
    return judged.has(key);
  };
}
