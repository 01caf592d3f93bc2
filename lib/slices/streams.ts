import { coveredStreams, coverKey, evaluateStreams, observeStreams, type StreamsObservation } from "../checks/streams.ts";
import { collectStreams, type StreamsCollectOptions } from "../collect/streams.ts";
import type { StreamsSnapshot } from "../snapshot/streams.ts";
import type { Slice } from "./slice.ts";

// Which streams a snapshot judged, worked out once per snapshot (covers() is asked per alert).
const covered = new WeakMap<StreamsSnapshot, Set<string>>();

export const streamsSlice: Slice<StreamsSnapshot, StreamsObservation> = {
  name: "streams",
  collect: (nc, ctx) => {
    const o: StreamsCollectOptions = { timeoutMs: ctx.config.timeouts.requestMs, stats: ctx.stats, now: ctx.now };
    if (ctx.config.clusterLabel) o.clusterLabel = ctx.config.clusterLabel;
    if (ctx.previous?.knownServers.length) o.knownServers = ctx.previous.knownServers;
    if (ctx.deadline !== undefined) o.deadline = ctx.deadline;
    return collectStreams(nc, ctx.config.mode, o);
  },
  blind: (reason, ctx) => ({
    collectedAt: ctx.now(), cluster: ctx.config.clusterLabel, blind: reason, stats: ctx.stats, mode: ctx.config.mode,
    servers: [], silent: [], streams: [], gaps: [], problems: [], pages: 0,
  }),
  evaluate: (snap, prev, config) => evaluateStreams(snap, prev, config.thresholds.streams),
  observe: (snap, prev, config) => observeStreams(snap, prev, config.thresholds.streams),
  // A stream's alert clears only when this run judged that stream (from its leader, or found it
  // leaderless): streams led by silent servers are never reported healthy by default.
  covers: (snap, alert) => {
    if (alert.finding.id === "monitor_blind") return true;
    if (snap.blind) return false;
    if (alert.finding.subject.stream === undefined) return true;
    let set = covered.get(snap);
    if (!set) covered.set(snap, (set = coveredStreams(snap)));
    return set.has(coverKey(alert.finding.subject));
  },
};
