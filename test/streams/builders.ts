// Small builders for hand-made stream snapshots (the pure check tests); real replies are in
// test/fixtures/streams-*.json.
import type { StreamThresholdConfig } from "../../lib/config/config.ts";
import { DEFAULT_CONFIG } from "../../lib/config/config.ts";
import { newRequestStats } from "../../lib/nats/stats.ts";
import type { StreamPeer, StreamsSnapshot, StreamUpstream, StreamView } from "../../lib/snapshot/streams.ts";

export const T0 = Date.parse("2026-01-01T00:00:00Z");

export function peer(name: string, o: Partial<StreamPeer> = {}): StreamPeer {
  return { name, current: true, offline: false, activeMs: 200, lag: 0, ...o };
}

export function upstream(name: string, o: Partial<StreamUpstream> = {}): StreamUpstream {
  return { name, lag: 0, activeMs: 500, filtered: false, ...o };
}

/** A healthy led stream of R replicas (followers n2..nR), one hour old. */
export function stream(name: string, o: Partial<StreamView> & { R?: number } = {}): StreamView {
  const { R = 3, ...rest } = o;
  const peers = Array.from({ length: R - 1 }, (_, i) => peer(`n${i + 2}`));
  return {
    account: "APP",
    name,
    domain: "hub",
    cluster: "c1",
    replicas: R,
    status: "led",
    leader: "n1",
    peers,
    holders: ["n1"],
    sources: [],
    messages: 10,
    lastSeq: 10,
    subjects: 1,
    bytes: 1000,
    ageMs: 3_600_000,
    reportedBy: "n1",
    ...rest,
  };
}

export function snapshot(streams: StreamView[], o: Partial<StreamsSnapshot> = {}): StreamsSnapshot {
  return {
    collectedAt: T0,
    cluster: "c1",
    stats: newRequestStats(),
    mode: "system",
    domain: "hub",
    servers: [
      { name: "n1", version: "2.15.1", cluster: "c1", domain: "hub" },
      { name: "n2", version: "2.15.1", cluster: "c1", domain: "hub" },
      { name: "n3", version: "2.15.1", cluster: "c1", domain: "hub" },
    ],
    silent: [],
    expectedServers: 3,
    streams,
    gaps: [],
    problems: [],
    pages: 1,
    ...o,
  };
}

/** The shipped stream thresholds, with changes. */
export function thresholds(o: Partial<StreamThresholdConfig> = {}): StreamThresholdConfig {
  const d = structuredClone(DEFAULT_CONFIG.thresholds.streams);
  return { ...d, ...o, defaults: { ...d.defaults, ...(o.defaults ?? {}) } };
}
