import { evaluateMeta, observeMeta, type MetaObservation } from "../checks/meta.ts";
import { collectMeta } from "../collect/meta.ts";
import type { MetaSnapshot } from "../snapshot/meta.ts";
import type { Slice } from "./slice.ts";

const PEER_CHECKS = new Set(["meta_peer_seen", "meta_peer_lag", "meta_offline_replica"]);

export const metaSlice: Slice<MetaSnapshot, MetaObservation> = {
  name: "meta",
  collect: (nc, ctx) => {
    const o: Parameters<typeof collectMeta>[1] = { timeoutMs: ctx.config.timeouts.requestMs, stats: ctx.stats, now: ctx.now };
    if (ctx.config.clusterLabel) o.clusterLabel = ctx.config.clusterLabel;
    const known = ctx.previous?.clusterSize;
    if (known) o.expectedServers = known;
    return collectMeta(nc, o);
  },
  blind: (reason, ctx) => ({ collectedAt: ctx.now(), cluster: ctx.config.clusterLabel, blind: reason, servers: [], expectedServers: undefined, problems: [], stats: ctx.stats }),
  evaluate: (snap, prev, config) => evaluateMeta(snap, prev, config.thresholds.meta),
  observe: (snap, prev, config) => observeMeta(snap, prev, config.thresholds.meta),
  // A blind run clears nothing but the blind alert itself; peer alerts need the leader's view.
  covers: (snap, alert) => {
    if (alert.finding.id === "monitor_blind") return true;
    if (snap.blind) return false;
    return snap.leaderView !== undefined || !PEER_CHECKS.has(alert.finding.id);
  },
};
