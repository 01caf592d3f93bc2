// Issue 12, part B, the stream checks that lean on history: a stream no reply mentions is named
// from its last known placement; a mirror's new leader that has not yet reported its mirror is not
// a mirror that never connected (captured replies of 2.10.27 and 2.15.1,
// test/streams/capture-mirror-leader.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateStreams, observeStreams, type StreamsObservation } from "../../lib/checks/streams.ts";
import type { AlertState } from "../../lib/alerts/alert.ts";
import { parseJszReplies } from "../../lib/collect/streams.ts";
import { newRequestStats } from "../../lib/nats/stats.ts";
import type { JszWire, SysEnvelope } from "../../lib/nats/wire.ts";
import { DEFAULT_CONFIG } from "../../lib/config/config.ts";
import { streamsSlice } from "../../lib/slices/streams.ts";
import type { StreamsSnapshot } from "../../lib/snapshot/streams.ts";
import { projectRoot } from "../../lib/testbed/servers.ts";
import { peer, snapshot, stream, T0, thresholds, upstream } from "./builders.ts";

const n = (name: string, domain = "hub") => ({ name, version: "2.15.1", cluster: "c1", domain });

describe("a stream no reply mentions is named from its last known placement", () => {
  // n4 holds the R1 stream SOLO; n1..n3 hold the R3 stream TRIO.
  const healthy = snapshot(
    [stream("TRIO"), stream("SOLO", { R: 1, leader: "n4", reportedBy: "n4", holders: ["n4"], peers: [] })],
    {
      servers: [n("n1"), n("n2"), n("n3"), n("n4")],
    },
  );
  const first = observeStreams(healthy, undefined, thresholds());
  const n4Silent = (o: Partial<StreamsSnapshot> = {}) =>
    snapshot([stream("TRIO")], {
      collectedAt: T0 + 60_000,
      servers: [n("n1"), n("n2"), n("n3")],
      silent: ["n4"],
      ...o,
    });

  it("an R1 stream on a silent server is stream quorum lost (JETSTREAM_008) naming the stream, its account and last server", () => {
    const fs = evaluateStreams(n4Silent(), first, thresholds());
    const lost = fs.filter((f) => f.id === "stream_quorum_lost");
    expect(lost.map((f) => [f.code, f.severity, f.subject])).toEqual([
      ["JETSTREAM_008", "critical", { cluster: "c1", account: "APP", stream: "SOLO" }],
    ]);
    expect(lost[0]!.summary).toContain("n4");
    expect(lost[0]!.values).toMatchObject({ from_history: true, replicas: 1, holders: "n4", leader: null });
    // Still named on the next run while n4 stays silent; its placement is kept meanwhile.
    const second = observeStreams(n4Silent(), first, thresholds());
    const again = evaluateStreams(n4Silent({ collectedAt: T0 + 120_000 }), second, thresholds());
    expect(again.filter((f) => f.id === "stream_quorum_lost").map((f) => f.subject.stream)).toEqual(["SOLO"]);
    // Its other alerts are not cleared meanwhile: nothing judged it.
    const alert: AlertState = {
      fingerprint: "x",
      firstSeen: T0,
      lastSeen: T0,
      clearRuns: 0,
      finding: {
        id: "stream_messages",
        code: null,
        severity: "warning",
        summary: "",
        subject: { cluster: "c1", account: "APP", stream: "SOLO" },
        why: "",
        action: "",
        commands: [],
        values: {},
      },
    };
    expect(streamsSlice.judge(n4Silent(), undefined, DEFAULT_CONFIG).covers(alert)).toBe(false);
  });

  it("a stream whose holders are all silent is named; one whose holder answered without it is gone and forgotten", () => {
    const five = snapshot([stream("FAR", { leader: "n3", reportedBy: "n3", peers: [peer("n4"), peer("n5")] })], {
      servers: [n("n1"), n("n2"), n("n3"), n("n4"), n("n5")],
    });
    const prev = observeStreams(five, undefined, thresholds());
    const s = snapshot([], { collectedAt: T0 + 60_000, servers: [n("n1"), n("n2")], silent: ["n3", "n4", "n5"] });
    const lost = evaluateStreams(s, prev, thresholds()).filter((f) => f.id === "stream_quorum_lost");
    expect(lost.map((f) => f.subject.stream)).toEqual(["FAR"]);
    expect(lost[0]!.values).toMatchObject({ replicas: 3, holders: "n3,n4,n5" });

    // n4 is back and does not hold SOLO any more (deleted): no finding, and no longer remembered.
    const back = snapshot([stream("TRIO")], {
      collectedAt: T0 + 60_000,
      servers: [n("n1"), n("n2"), n("n3"), n("n4")],
    });
    expect(evaluateStreams(back, first, thresholds())).toEqual([]);
    expect(JSON.stringify(observeStreams(back, first, thresholds()).placements)).not.toContain("SOLO");
  });

  it("a stream whose leader is silent but followers answer stays a gap (not judged) and keeps its placement", () => {
    const gap = {
      account: "APP",
      name: "SOLO",
      domain: "hub",
      reason: "its leader n4 did not answer",
      unavailable: false,
    };
    const s = n4Silent({ gaps: [gap] });
    expect(evaluateStreams(s, first, thresholds()).some((f) => f.id === "stream_quorum_lost")).toBe(false);
    expect(JSON.stringify(observeStreams(s, first, thresholds()).placements)).toContain("SOLO");
  });

  it("a leaf domain's stream names that domain; a stream opted out by an override is not named", () => {
    const leaf = snapshot(
      [
        stream("TRIO"),
        stream("EDGE1", { R: 1, domain: "edge", leader: "e1", reportedBy: "e1", holders: ["e1"], peers: [] }),
      ],
      {
        servers: [n("n1"), n("n2"), n("n3"), n("e1", "edge")],
      },
    );
    const prev = observeStreams(leaf, undefined, thresholds());
    const gone = snapshot([stream("TRIO")], { collectedAt: T0 + 60_000, silent: ["e1"] });
    expect(
      evaluateStreams(gone, prev, thresholds())
        .filter((f) => f.id === "stream_quorum_lost")
        .map((f) => f.subject),
    ).toEqual([{ cluster: "edge", account: "APP", stream: "EDGE1" }]);
    const off = thresholds({ overrides: [{ stream: "EDGE1", values: { enabled: "false" } }] });
    expect(evaluateStreams(gone, prev, off).filter((f) => f.id === "stream_quorum_lost")).toEqual([]);
  });
});

interface Capture {
  version: string;
  captured: string;
  frozen: string;
  jsz: SysEnvelope<JszWire>[];
}
const capture = (version: string): Capture =>
  JSON.parse(
    readFileSync(join(projectRoot, "test", "fixtures", `streams-mirror-new-leader-${version}.json`), "utf8"),
  ) as Capture;
const parseAt = (c: Capture, at: number): StreamsSnapshot =>
  parseJszReplies(c.jsz, { collectedAt: at, connectedDomain: "", timeoutMs: 1000, stats: newRequestStats() });
// The stream is a few seconds old in the captures: a 2s threshold is below its age.
const seen2s = thresholds({ overrides: [{ stream: "BK", values: { "seen-critical": "2s" } }] });
const mirrorSeen = (s: StreamsSnapshot, prev: StreamsObservation | undefined) =>
  evaluateStreams(s, prev, seen2s).filter((f) => f.id === "mirror_seen");

describe("a mirror's new leader that has not reported its mirror yet (captured replies)", () => {
  it("2.15.1: the new leader reports active -1 for its mirror; leader_since says it has led for less than the threshold: no page", () => {
    const c = capture("2.15.1");
    const s = parseAt(c, Date.parse(c.captured));
    const bk = s.streams.find((v) => v.name === "BK")!;
    expect(bk.mirror!.activeMs).toBe(-1);
    expect(bk.leader).not.toBe(c.frozen);
    expect(bk.ageMs!).toBeGreaterThan(2000);
    expect(bk.leaderForMs!).toBeLessThan(2000);
    expect(mirrorSeen(s, undefined)).toEqual([]);
  });

  for (const version of ["2.9.10", "2.10.27"])
    it(`${version} (no leader_since): a run that saw another leader before times the -1 from the change, and pages once it lasts past the threshold`, () => {
      const c = capture(version);
      const at = Date.parse(c.captured);
      const s = parseAt(c, at);
      const bk = s.streams.find((v) => v.name === "BK")!;
      expect(bk.mirror!.activeMs).toBe(-1);
      expect(bk.leaderForMs).toBeUndefined();
      expect(bk.ageMs!).toBeGreaterThan(2000);
      // What the run before the freeze left: the frozen server led BK.
      const before: StreamsObservation = {
        at: at - 10_000,
        knownServers: s.servers.map((x) => x.name).concat(c.frozen),
        mirrors: {},
        upstreamLeaders: { [`/APP/BK`]: { leader: c.frozen, since: null } },
      };
      expect(mirrorSeen(s, before)).toEqual([]);
      // The same state 3 s later (the new leader still silent on its mirror): past the 2 s threshold.
      const next = observeStreams(s, before, seen2s);
      const later = mirrorSeen(parseAt(c, at + 3000), next);
      expect(later.map((f) => [f.code, f.subject.stream])).toEqual([["JETSTREAM_018", "BK"]]);
      expect(later[0]!.summary).toContain("for at least 3s");
      expect(later[0]!.values).toMatchObject({ active_ms: -1, unheard_ms: 3000 });
      // A leader the monitor never saw change (no history): a mirror that never connected pages on the stream's age.
      expect(mirrorSeen(s, undefined).map((f) => f.summary)).toEqual([expect.stringContaining("was never heard from")]);
    });

  it("a stream that was leaderless at the previous run: whichever server leads it now is a new leader", () => {
    const mirror = stream("BK", { mirror: upstream("SRC", { activeMs: -1 }), ageMs: 600_000 });
    const seen1m = thresholds({ overrides: [{ stream: "BK", values: { "seen-critical": "1m" } }] });
    const led = observeStreams(
      snapshot([stream("BK", { mirror: upstream("SRC"), ageMs: 540_000 })]),
      undefined,
      seen1m,
    );
    const headless = snapshot([stream("BK", { status: "leaderless", leader: undefined, ageMs: 570_000 })], {
      collectedAt: T0 + 30_000,
    });
    const between = observeStreams(headless, led, seen1m);
    const now = snapshot([{ ...mirror, leader: "n1" }], { collectedAt: T0 + 60_000 });
    expect(evaluateStreams(now, between, seen1m).filter((f) => f.id === "mirror_seen")).toEqual([]);
  });
});
