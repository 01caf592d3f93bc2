// Pure edges of the history-based meta checks (META_003, META_009) that the real-cluster test in
// flapping.test.ts cannot stage: mixed methods, a rebuilt group's term, and membership after a
// peer-remove when the collector still expects the old size.
import { describe, expect, it } from "vitest";
import {
  evaluateMeta,
  flapScheduleProblem,
  leaderChangeSince,
  observeMeta,
  type MetaObservation,
} from "../../lib/checks/meta.ts";
import { DEFAULT_CONFIG } from "../../lib/config/config.ts";
import { newRequestStats } from "../../lib/nats/stats.ts";
import type { MetaSnapshot } from "../../lib/snapshot/meta.ts";

const T = { ...DEFAULT_CONFIG.thresholds.meta };
const MIN = 60_000;

/** A snapshot of a healthy group `members` led by `leader`, as the collector builds it. */
function snap(
  at: number,
  leader: string,
  o: { term?: number; members?: string[]; answered?: string[]; expected?: number; leaderAnswered?: boolean } = {},
): MetaSnapshot {
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
    s.leaderView = {
      leader,
      clusterSize: members.length,
      peers: members
        .filter((m) => m !== leader)
        .map((name) => ({ name, current: true, offline: false, activeMs: 200, lag: 0 })),
    };
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
    const { findings, obs } = runs([
      snap(0, "a"),
      snap(MIN, "b"),
      snap(2 * MIN, "b", { term: 9 }),
      snap(3 * MIN, "c", { term: 10 }),
    ]);
    expect(obs.changes.map((c) => c.method)).toEqual(["leader-name", "raft-term"]);
    expect(findings.find((f) => f.code === "META_003")?.values).toMatchObject({
      changes: 2,
      method: "leader name and Raft term",
    });
  });

  it("falls back to leader names when the term went backwards (the group was rebuilt)", () => {
    const prev = observeMeta(snap(0, "a", { term: 40 }), undefined, T);
    expect(leaderChangeSince(prev, snap(MIN, "b", { term: 2 }))).toMatchObject({
      method: "leader-name",
      count: 1,
      from: "a",
      to: "b",
    });
    expect(leaderChangeSince(prev, snap(MIN, "a", { term: 2 }))).toBeUndefined();
  });

  it("counts every election a term rise shows, and none when the term stayed", () => {
    const prev = observeMeta(snap(0, "a", { term: 4 }), undefined, T);
    expect(leaderChangeSince(prev, snap(MIN, "a", { term: 4 }))).toBeUndefined();
    expect(leaderChangeSince(prev, snap(MIN, "a", { term: 7 }))).toMatchObject({
      method: "raft-term",
      count: 3,
      from: "a",
      to: "a",
    });
  });

  it("stays firing while the window holds more changes than allowed, and clears once they age out", () => {
    const base = [snap(0, "a", { term: 1 }), snap(MIN, "a", { term: 3 })];
    expect(runs(base).findings.map((f) => f.code)).toEqual(["META_003"]);
    expect(runs([...base, snap(5 * MIN, "a", { term: 3 })]).findings.map((f) => f.code)).toEqual(["META_003"]);
    expect(
      runs([...base, snap(5 * MIN, "a", { term: 3 }), snap(MIN + T.flapWindowMs, "a", { term: 3 })]).findings,
    ).toEqual([]);
  });
});

describe("META_003 windows that mean what they say", () => {
  const HOUR = 60 * MIN;

  it("does not count changes it cannot place inside the window: after a gap longer than it they are information only", () => {
    // The monitor was down for two hours; five elections happened meanwhile.
    const gap = runs([snap(0, "a", { term: 1 }), snap(2 * HOUR, "b", { term: 6 })]);
    expect(gap.findings.map((f) => [f.id, f.severity])).toEqual([["meta_leader_changes_unplaced", "info"]]);
    expect(gap.findings[0]!.summary).toBe(
      "meta leader changed 5 time(s) (a -> b) since the previous run 2h ago, longer than the 10m flap window: not counted by META_003 (counted by Raft term)",
    );
    expect(gap.findings[0]!.values).toMatchObject({ changes: 5, gap_ms: 2 * HOUR, window_ms: 10 * MIN });
    expect(gap.obs.changes).toEqual([]);
    // A minute later, nothing is counted either; a change now is counted (one: allowed).
    expect(
      runs([snap(0, "a", { term: 1 }), snap(2 * HOUR, "b", { term: 6 }), snap(2 * HOUR + MIN, "b", { term: 6 })])
        .findings,
    ).toEqual([]);
    expect(
      runs([snap(0, "a", { term: 1 }), snap(2 * HOUR, "b", { term: 6 }), snap(2 * HOUR + MIN, "c", { term: 7 })])
        .findings,
    ).toEqual([]);
    // Whereas a previous run inside the window places the changes in it.
    expect(runs([snap(0, "a", { term: 1 }), snap(9 * MIN, "a", { term: 3 })]).findings.map((f) => f.code)).toEqual([
      "META_003",
    ]);
  });

  it("history loaded from days ago does not turn old elections into a flap, by leader name either", () => {
    const r = runs([snap(0, "a"), snap(3 * 24 * HOUR, "b")]);
    expect(r.findings.map((f) => f.id)).toEqual(["meta_leader_changes_unplaced"]);
  });

  it("names the servers that held leadership in the window", () => {
    const { findings } = runs([snap(0, "a"), snap(MIN, "b"), snap(2 * MIN, "c")]);
    const f = findings.find((x) => x.code === "META_003")!;
    expect(f.values).toMatchObject({ changes: 2, leaders: "a,b,c" });
    expect(f.summary).toContain("leadership held by a, b, c;");
    // By term, leaders between two runs are unknown: the names are a lower bound.
    const byTerm = runs([snap(0, "a", { term: 1 }), snap(MIN, "a", { term: 3 })]).findings[0]!;
    expect(byTerm.summary).toContain("leadership held by a (at least)");
  });

  it("a schedule at which name counting can never exceed flapMaxChanges is a configuration problem, and the checker agrees", () => {
    expect(flapScheduleProblem(30_000, T)).toBeUndefined();
    expect(flapScheduleProblem(5 * MIN, T)).toBeUndefined();
    expect(flapScheduleProblem(6 * MIN, T)).toContain("at most 1 in the window");
    expect(flapScheduleProblem(11 * MIN, T)).toContain("no leader change can ever be placed inside the window");
    expect(flapScheduleProblem(6 * MIN, T)).toContain("run it at least every 5m");
    // A new leader at every run: fires at a 5 min spacing, never at 6 min (name counting).
    const fired = (gap: number) => {
      let prev: MetaObservation | undefined;
      let any = false;
      for (let i = 0; i < 12; i++) {
        const s = snap(i * gap, ["a", "b", "c"][i % 3]!);
        any ||= evaluateMeta(s, prev, T).some((f) => f.code === "META_003");
        prev = observeMeta(s, prev, T);
      }
      return any;
    };
    expect(fired(5 * MIN)).toBe(true);
    expect(fired(6 * MIN)).toBe(false);
  });
});

describe("META_009 and membership after a peer-remove", () => {
  it("counts distinct peers, not the leader's cluster_size number: a blip (3 reported as 7) fires nothing when it returns", () => {
    const blip = snap(MIN, "a");
    blip.leaderView!.clusterSize = 7;
    const { findings } = runs([snap(0, "a"), blip, snap(2 * MIN, "a")]);
    expect(findings).toEqual([]);
  });

  it("names the peer that left", () => {
    const { findings } = runs([snap(0, "a"), snap(MIN, "a", { members: ["a", "b"] })]);
    expect(findings[0]!.summary).toBe(
      "meta group shrank from 3 to 2 distinct peers since the previous run (no longer listed: c)",
    );
  });

  it("reports only the shrink when the collector still expects the old size", () => {
    const { findings } = runs([snap(0, "a"), snap(MIN, "a", { members: ["a", "b"], expected: 3 })]);
    expect(findings.map((f) => f.code)).toEqual(["META_009"]);
    expect(findings[0]!.values).toEqual({ previous: 3, size: 2, gone: "c" });
  });

  it("fires for the run that saw the shrink only", () => {
    const { findings } = runs([
      snap(0, "a"),
      snap(MIN, "a", { members: ["a", "b"] }),
      snap(2 * MIN, "a", { members: ["a", "b"] }),
    ]);
    expect(findings).toEqual([]);
  });

  it("says nothing about size when no leader reported it (a leaderless or leader-silent run)", () => {
    const { findings } = runs([
      snap(0, "a"),
      snap(MIN, "a", { members: ["a", "b"], answered: ["b"], leaderAnswered: false, expected: 2 }),
    ]);
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
