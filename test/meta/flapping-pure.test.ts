// Pure edges of the history-based meta checks (META_003, META_009) that the real-cluster test in
// flapping.test.ts cannot stage: mixed methods, a rebuilt group's term, and membership after a
// peer-remove when the collector still expects the old size.
import { describe, expect, it } from "vitest";
import { evaluateMeta, leaderChangeSince, observeMeta, type MetaObservation } from "../../lib/checks/meta.ts";
import { DEFAULT_CONFIG } from "../../lib/config/config.ts";
import { newRequestStats } from "../../lib/nats/stats.ts";
import type { MetaSnapshot } from "../../lib/snapshot/meta.ts";

const T = { ...DEFAULT_CONFIG.thresholds.meta };
const MIN = 60_000;

/** A snapshot of a healthy group `members` led by `leader`, as the collector builds it. */
function snap(at: number, leader: string, o: { term?: number; members?: string[]; answered?: string[]; expected?: number; leaderAnswered?: boolean } = {}): MetaSnapshot {
  const members = o.members ?? ["a", "b", "c"];
  const answered = o.answered ?? members;
  const s: MetaSnapshot = {
    collectedAt: at,
    cluster: "c1",
    servers: answered.map((name) => ({ name, version: "2.15.1", metaLeader: leader, clusterSize: members.length })),
    expectedServers: o.expected ?? members.length,
    problems: [],
    stats: newRequestStats(),
  };
  if (o.leaderAnswered !== false) {
    s.leaderView = { leader, clusterSize: members.length, peers: members.filter((m) => m !== leader).map((name) => ({ name, current: true, offline: false, activeMs: 200, lag: 0 })) };
  }
  if (o.term !== undefined) s.raft = { term: o.term, reportedBy: leader };
  return s;
}

function runs(snaps: MetaSnapshot[]) {
  let prev: MetaObservation | undefined;
  let findings: ReturnType<typeof evaluateMeta> = [];
  for (const s of snaps) {
    findings = evaluateMeta(s, prev, T);
    prev = observeMeta(s, prev, T);
  }
  return { findings, obs: prev! };
}

describe("META_003 counting", () => {
  it("names both methods when the window holds changes counted each way (e.g. during an upgrade to 2.10.17+)", () => {
    const { findings, obs } = runs([snap(0, "a"), snap(MIN, "b"), snap(2 * MIN, "b", { term: 9 }), snap(3 * MIN, "c", { term: 10 })]);
    expect(obs.changes.map((c) => c.method)).toEqual(["leader-name", "raft-term"]);
    expect(findings.find((f) => f.code === "META_003")?.values).toMatchObject({ changes: 2, method: "leader name and Raft term" });
  });

  it("falls back to leader names when the term went backwards (the group was rebuilt)", () => {
    const prev = observeMeta(snap(0, "a", { term: 40 }), undefined, T);
    expect(leaderChangeSince(prev, snap(MIN, "b", { term: 2 }))).toMatchObject({ method: "leader-name", count: 1, from: "a", to: "b" });
    expect(leaderChangeSince(prev, snap(MIN, "a", { term: 2 }))).toBeUndefined();
  });

  it("counts every election a term rise shows, and none when the term stayed", () => {
    const prev = observeMeta(snap(0, "a", { term: 4 }), undefined, T);
    expect(leaderChangeSince(prev, snap(MIN, "a", { term: 4 }))).toBeUndefined();
    expect(leaderChangeSince(prev, snap(MIN, "a", { term: 7 }))).toMatchObject({ method: "raft-term", count: 3, from: "a", to: "a" });
  });

  it("stays firing while the window holds more changes than allowed, and clears once they age out", () => {
    const base = [snap(0, "a", { term: 1 }), snap(MIN, "a", { term: 3 })];
    expect(runs(base).findings.map((f) => f.code)).toEqual(["META_003"]);
    expect(runs([...base, snap(5 * MIN, "a", { term: 3 })]).findings.map((f) => f.code)).toEqual(["META_003"]);
    expect(runs([...base, snap(5 * MIN, "a", { term: 3 }), snap(MIN + T.flapWindowMs, "a", { term: 3 })]).findings).toEqual([]);
  });
});

describe("META_009 and membership after a peer-remove", () => {
  it("reports only the shrink when the collector still expects the old size", () => {
    const { findings } = runs([snap(0, "a"), snap(MIN, "a", { members: ["a", "b"], expected: 3 })]);
    expect(findings.map((f) => f.code)).toEqual(["META_009"]);
    expect(findings[0]!.values).toEqual({ previous: 3, size: 2 });
  });

  it("fires for the run that saw the shrink only", () => {
    const { findings } = runs([snap(0, "a"), snap(MIN, "a", { members: ["a", "b"] }), snap(2 * MIN, "a", { members: ["a", "b"] })]);
    expect(findings).toEqual([]);
  });

  it("says nothing about size when no leader reported it (a leaderless or leader-silent run)", () => {
    const { findings } = runs([snap(0, "a"), snap(MIN, "a", { members: ["a", "b"], answered: ["b"], leaderAnswered: false, expected: 2 })]);
    expect(findings.some((f) => f.code === "META_009")).toBe(false);
  });

  it("forgets a removed peer once the leader's view no longer lists it, so it is never called silent later", () => {
    const { obs } = runs([snap(0, "a"), snap(MIN, "a", { members: ["a", "b"] })]);
    expect(obs.knownServers).toEqual(["a", "b"]);
    // Later the leader does not answer: only the remaining members are expected.
    const later = evaluateMeta(snap(2 * MIN, "a", { members: ["a", "b"], leaderAnswered: false, expected: 2 }), obs, T);
    expect(later).toEqual([]);
  });
});
