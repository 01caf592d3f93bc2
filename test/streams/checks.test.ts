// Pure stream checks on hand-made snapshots: each check's edges (R1, R2, R4, -1, 0, missing fields).
import { describe, expect, it } from "vitest";
import { evaluateStreams, observeStreams, type StreamsObservation } from "../../lib/checks/streams.ts";
import type { Finding } from "../../lib/findings/finding.ts";
import { streamKey } from "../../lib/snapshot/streams.ts";
import { DEFAULT_CONFIG } from "../../lib/config/config.ts";
import { streamsSlice } from "../../lib/slices/streams.ts";
import type { AlertState } from "../../lib/alerts/alert.ts";
import { peer, snapshot, stream, T0, thresholds, upstream } from "./builders.ts";

const ids = (fs: Finding[]) => fs.map((f) => f.id).sort();
const only = (fs: Finding[], id: string) => fs.filter((f) => f.id === id);

describe("stream checks", () => {
  describe("quorum and replicas", () => {
    it("a healthy R1, R2, R3 and R4 stream yield nothing", () => {
      const s = snapshot([stream("A", { R: 1 }), stream("B", { R: 2 }), stream("C", { R: 3 }), stream("D", { R: 4 })]);
      expect(evaluateStreams(s, undefined, thresholds())).toEqual([]);
    });

    it("a leaderless stream is quorum lost (JETSTREAM_008), naming who holds it", () => {
      const v = stream("A", {
        status: "leaderless",
        leader: undefined,
        holders: ["n1"],
        peers: [peer("n1"), peer("n2", { offline: true }), peer("n3", { offline: true })],
      });
      const [f, ...rest] = evaluateStreams(snapshot([v]), undefined, thresholds());
      expect(rest).toEqual([]);
      expect(f!.id).toBe("stream_quorum_lost");
      expect(f!.code).toBe("JETSTREAM_008");
      expect(f!.subject).toEqual({ cluster: "c1", account: "APP", stream: "A" });
      expect(f!.summary).toContain("no leader");
      expect(f!.summary).toContain("n1");
    });

    it("an R1 stream has no followers: only a missing leader counts", () => {
      const led = evaluateStreams(
        snapshot([stream("A", { R: 1 })]),
        undefined,
        thresholds({ defaults: { "peer-expect": "1", "peer-seen-critical": "1s" } }),
      );
      expect(led).toEqual([]);
      const leaderless = evaluateStreams(
        snapshot([stream("A", { R: 1, status: "leaderless", leader: undefined, peers: [] })]),
        undefined,
        thresholds(),
      );
      expect(ids(leaderless)).toEqual(["stream_quorum_lost"]);
    });

    it("R3 with one follower offline: replica offline, quorum kept, survives 0 more failures", () => {
      const v = stream("A", { peers: [peer("n2", { offline: true, current: false }), peer("n3")] });
      const fs = evaluateStreams(snapshot([v]), undefined, thresholds());
      expect(ids(fs)).toEqual(["stream_peer_seen", "stream_replica_offline"]);
      const off = only(fs, "stream_replica_offline")[0]!;
      expect(off.subject.peer).toBe("n2");
      expect(off.values).toMatchObject({ online: 2, replicas: 3, quorum: 2, survives: 0 });
      // JETSTREAM_007 is the catalog's JetStream memory check: the offline replica has no code.
      expect(off.code).toBeNull();
    });

    it("R2 with its follower offline has lost quorum (online 1 < 2)", () => {
      const fs = evaluateStreams(
        snapshot([stream("A", { R: 2, peers: [peer("n2", { offline: true })] })]),
        undefined,
        thresholds(),
      );
      expect(ids(fs)).toEqual(["stream_peer_seen", "stream_quorum_lost", "stream_replica_offline"]);
      expect(only(fs, "stream_quorum_lost")[0]!.values).toMatchObject({ online: 1, replicas: 2, quorum: 2 });
    });

    it("R4 with two followers offline has lost quorum (the `offline*2 > N` formula misses it)", () => {
      const v = stream("A", {
        R: 4,
        peers: [peer("n2", { offline: true }), peer("n3", { offline: true }), peer("n4")],
      });
      const fs = evaluateStreams(snapshot([v]), undefined, thresholds());
      expect(only(fs, "stream_quorum_lost")[0]!.values).toMatchObject({ online: 2, replicas: 4, quorum: 3 });
      const one = stream("B", { R: 4, peers: [peer("n2", { offline: true }), peer("n3"), peer("n4")] });
      expect(ids(evaluateStreams(snapshot([one]), undefined, thresholds()))).toEqual([
        "stream_peer_seen",
        "stream_replica_offline",
      ]);
    });

    it("a leader that lists fewer followers than R counts the missing ones as not online", () => {
      const fs = evaluateStreams(snapshot([stream("A", { R: 3, peers: [] })]), undefined, thresholds());
      expect(only(fs, "stream_quorum_lost")[0]!.values).toMatchObject({ online: 1, replicas: 3 });
    });
  });

  describe("peer seen (JETSTREAM_023) and peer lag (JETSTREAM_022)", () => {
    it("fires when a follower's active is over the threshold, not at it", () => {
      const over = stream("A", { peers: [peer("n2", { activeMs: 60_001 }), peer("n3", { activeMs: 60_000 })] });
      const fs = evaluateStreams(snapshot([over]), undefined, thresholds());
      expect(ids(fs)).toEqual(["stream_peer_seen"]);
      expect(fs[0]!.code).toBe("JETSTREAM_023");
      expect(fs[0]!.subject).toEqual({ cluster: "c1", account: "APP", stream: "A", peer: "n2" });
      expect(fs[0]!.values).toMatchObject({ active_ms: 60001, threshold_ms: 60_000, threshold_origin: "default" });
      expect(fs[0]!.summary).toMatch(/n2.*1m.*threshold 1m/);
    });

    it("an offline follower is certainly not seen: peer seen keeps firing beside offline, saying so (escalation, not resolution)", () => {
      const v = stream("A", { peers: [peer("n2", { offline: true, activeMs: 500_000 }), peer("n3")] });
      const fs = evaluateStreams(snapshot([v]), undefined, thresholds());
      expect(ids(fs)).toEqual(["stream_peer_seen", "stream_replica_offline"]);
      const seen = only(fs, "stream_peer_seen")[0]!;
      expect(seen.subject).toEqual({ cluster: "c1", account: "APP", stream: "A", peer: "n2" });
      expect(seen.summary).toContain("n2 is offline");
      expect(seen.values).toMatchObject({ offline: true, active_ms: 500_000, threshold_ms: 60_000 });
      // With peer seen turned off for the stream, only the offline finding remains.
      const off = evaluateStreams(snapshot([v]), undefined, thresholds({ defaults: { "peer-seen-critical": "0" } }));
      expect(ids(off)).toEqual(["stream_replica_offline"]);
    });

    it("active 0 with current false means not heard since the leader was elected: judged by leader_since", () => {
      const never = (leaderForMs: number | undefined) =>
        stream("A", {
          ...(leaderForMs === undefined ? {} : { leaderForMs }),
          peers: [peer("n2", { activeMs: 0, current: false, lag: 13 }), peer("n3")],
        });
      const long = evaluateStreams(snapshot([never(120_000)]), undefined, thresholds());
      expect(ids(long)).toEqual(["stream_peer_seen"]);
      expect(long[0]!.summary).toContain("since it became leader 2m ago");
      expect(long[0]!.values).toMatchObject({ active_ms: null, leader_for_ms: 120_000, lag: 13 });
      expect(evaluateStreams(snapshot([never(5_000)]), undefined, thresholds())).toEqual([]);
      // 2.10 does not say when the leader was elected: counted from the first run that saw it so,
      // so a stream just created (or a leader just elected) does not page, a hung follower does.
      const cfg = thresholds();
      const first = snapshot([never(undefined)], { collectedAt: T0 });
      expect(evaluateStreams(first, undefined, cfg)).toEqual([]);
      const o1 = observeStreams(first, undefined, cfg);
      expect(Object.values(o1.unheard ?? {})).toEqual([T0]);
      const soon = snapshot([never(undefined)], { collectedAt: T0 + 30_000 });
      expect(evaluateStreams(soon, o1, cfg)).toEqual([]);
      const o2 = observeStreams(soon, o1, cfg);
      const later = snapshot([never(undefined)], { collectedAt: T0 + 61_000 });
      const unknown = evaluateStreams(later, o2, cfg);
      expect(ids(unknown)).toEqual(["stream_peer_seen"]);
      expect(unknown[0]!.summary).toContain("for at least 1m1s");
      expect(unknown[0]!.summary).toContain("the server does not say when");
      // Heard from again: forgotten, so the document keeps only followers in that state.
      const heard = snapshot([stream("A", { peers: [peer("n2"), peer("n3")] })], { collectedAt: T0 + 90_000 });
      expect(observeStreams(heard, observeStreams(later, o2, cfg), cfg).unheard).toBeUndefined();
    });

    it("active 0 on a current follower is a fresh contact, not silence", () => {
      expect(
        evaluateStreams(
          snapshot([stream("A", { peers: [peer("n2", { activeMs: 0, current: true }), peer("n3")] })]),
          undefined,
          thresholds(),
        ),
      ).toEqual([]);
    });

    it("peer lag is off unless set; then fires above the threshold", () => {
      const v = stream("A", { peers: [peer("n2", { lag: 6 }), peer("n3", { lag: 5 })] });
      expect(evaluateStreams(snapshot([v]), undefined, thresholds())).toEqual([]);
      const fs = evaluateStreams(
        snapshot([{ ...v, metadata: { "io.nats.monitor.peer-lag-critical": "5" } }]),
        undefined,
        thresholds(),
      );
      expect(ids(fs)).toEqual(["stream_peer_lag"]);
      expect(fs[0]!.subject.peer).toBe("n2");
      expect(fs[0]!.values).toMatchObject({ lag: 6, threshold: 5, threshold_origin: "metadata" });
    });
  });

  describe("peer expect (JETSTREAM_021)", () => {
    it("is silent when unset, whatever R (jsm.go says 'Expected 0 replicas got 3')", () => {
      expect(
        evaluateStreams(snapshot([stream("A", { R: 3 }), stream("B", { R: 1 })]), undefined, thresholds()),
      ).toEqual([]);
    });
    it("fires when the peers differ from the expectation", () => {
      const md = { "io.nats.monitor.peer-expect": "3" };
      expect(evaluateStreams(snapshot([stream("A", { metadata: md })]), undefined, thresholds())).toEqual([]);
      const fs = evaluateStreams(snapshot([stream("A", { R: 2, metadata: md })]), undefined, thresholds());
      expect(ids(fs)).toEqual(["stream_peer_expect"]);
      expect(fs[0]!.summary).toContain("has 2 peer(s), expected 3");
      expect(fs[0]!.code).toBe("JETSTREAM_021");
    });
  });

  describe("mirror and sources", () => {
    const md = (o: Record<string, string>) =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [`io.nats.monitor.${k}`, v]));

    it("mirror seen (JETSTREAM_018) fires on a silent mirror whatever its lag", () => {
      const v = stream("M", {
        mirror: upstream("SRC", { activeMs: 125_000, lag: 0 }),
        metadata: md({ "seen-critical": "120" }),
      });
      const fs = evaluateStreams(snapshot([v]), undefined, thresholds());
      expect(ids(fs)).toEqual(["mirror_seen"]);
      expect(fs[0]!.code).toBe("JETSTREAM_018");
      expect(fs[0]!.subject).toEqual({ cluster: "c1", account: "APP", stream: "M", source: "SRC" });
      expect(fs[0]!.values).toMatchObject({ active_ms: 125_000, threshold_ms: 120_000, lag: 0 });
    });

    it("a mirror never seen (active -1) fires once the stream is older than the threshold", () => {
      const young = stream("M", {
        ageMs: 30_000,
        mirror: upstream("SRC", { activeMs: -1 }),
        metadata: md({ "seen-critical": "1m" }),
      });
      expect(evaluateStreams(snapshot([young]), undefined, thresholds())).toEqual([]);
      const old = { ...young, ageMs: 61_000 };
      const fs = evaluateStreams(snapshot([old]), undefined, thresholds());
      expect(ids(fs)).toEqual(["mirror_seen"]);
      expect(fs[0]!.summary).toContain("never heard from");
      expect(fs[0]!.values).toMatchObject({ active_ms: -1, age_ms: 61_000 });
    });

    it("active 0 is contact just now; seen-critical unset means off", () => {
      expect(
        evaluateStreams(
          snapshot([
            stream("M", { mirror: upstream("SRC", { activeMs: 0 }), metadata: md({ "seen-critical": "1s" }) }),
          ]),
          undefined,
          thresholds(),
        ),
      ).toEqual([]);
      const src = stream("SRC", { R: 1 });
      expect(
        evaluateStreams(
          snapshot([src, stream("M", { mirror: upstream("SRC", { activeMs: 10_000_000 }) })]),
          undefined,
          thresholds(),
        ),
      ).toEqual([]);
    });

    it("mirror lag (JETSTREAM_017) fires above lag-critical", () => {
      const v = stream("M", { mirror: upstream("SRC", { lag: 101 }), metadata: md({ "lag-critical": "100" }) });
      const fs = evaluateStreams(snapshot([v]), undefined, thresholds());
      expect(ids(fs)).toEqual(["mirror_lag"]);
      expect(fs[0]!.values).toMatchObject({ lag: 101, threshold: 100 });
    });

    it("a mirror or source error is reported without any threshold", () => {
      const v = stream("M", { mirror: upstream("SRC", { error: "stream not found (404/10059)" }), sources: [] });
      const w = stream("AGG", {
        sources: [
          upstream("A"),
          upstream("B", { error: "consumer create failed (500/10012)", api: "$JS.edge.API", domain: "edge" }),
        ],
      });
      const fs = evaluateStreams(snapshot([v, w]), undefined, thresholds());
      expect(fs.map((f) => [f.id, f.subject.stream, f.subject.source]).sort()).toEqual([
        ["replication_error", "AGG", "B"],
        ["replication_error", "M", "SRC"],
      ]);
      expect(fs.find((f) => f.subject.stream === "AGG")!.summary).toContain("source B via $JS.edge.API");
    });

    it("sources: seen and lag per source, each its own subject", () => {
      const v = stream("AGG", {
        sources: [upstream("A", { activeMs: 90_000 }), upstream("B", { lag: 500 }), upstream("C", { activeMs: -1 })],
        metadata: md({ "seen-critical": "1m", "lag-critical": "100" }),
      });
      const fs = evaluateStreams(snapshot([v]), undefined, thresholds());
      expect(fs.map((f) => `${f.id}:${f.subject.source}`).sort()).toEqual([
        "source_lag:B",
        "source_seen:A",
        "source_seen:C",
      ]);
    });

    it("min and max sources (JETSTREAM_019/020)", () => {
      const v = (n: number) =>
        stream("AGG", {
          sources: Array.from({ length: n }, (_, i) => upstream(`S${i}`)),
          metadata: md({ "min-sources": "2", "max-sources": "3" }),
        });
      expect(ids(evaluateStreams(snapshot([v(1)]), undefined, thresholds()))).toEqual(["sources_min"]);
      expect(evaluateStreams(snapshot([v(2)]), undefined, thresholds())).toEqual([]);
      expect(evaluateStreams(snapshot([v(3)]), undefined, thresholds())).toEqual([]);
      const many = evaluateStreams(snapshot([v(4)]), undefined, thresholds());
      expect(ids(many)).toEqual(["sources_max"]);
      expect(many[0]!.code).toBe("JETSTREAM_020");
    });
  });

  describe("messages and subjects (JETSTREAM_024/025)", () => {
    const run = (messages: number, md: Record<string, string>) =>
      evaluateStreams(
        snapshot([
          stream("A", {
            messages,
            metadata: Object.fromEntries(Object.entries(md).map(([k, v]) => [`io.nats.monitor.${k}`, v])),
          }),
        ]),
        undefined,
        thresholds(),
      );

    it("critical above warning: more is worse", () => {
      const md = { "msgs-warn": "100", "msgs-critical": "200" };
      expect(run(99, md)).toEqual([]);
      expect(run(100, md).map((f) => f.severity)).toEqual(["warning"]);
      expect(run(250, md).map((f) => f.severity)).toEqual(["critical"]);
      expect(run(250, md)[0]!.values).toMatchObject({ direction: "above", threshold: 200 });
    });

    it("critical below warning: fewer is worse", () => {
      const md = { "msgs-warn": "100", "msgs-critical": "10" };
      expect(run(500, md)).toEqual([]);
      expect(run(100, md).map((f) => f.severity)).toEqual(["warning"]);
      expect(run(5, md).map((f) => f.severity)).toEqual(["critical"]);
      expect(run(5, md)[0]!.values).toMatchObject({ direction: "below" });
    });

    it("one threshold alone means more is worse, whichever it is", () => {
      expect(run(5, { "msgs-critical": "10" })).toEqual([]);
      expect(run(10, { "msgs-critical": "10" }).map((f) => f.severity)).toEqual(["critical"]);
      expect(run(5, { "msgs-warn": "10" })).toEqual([]);
      expect(run(11, { "msgs-warn": "10" }).map((f) => f.severity)).toEqual(["warning"]);
    });

    it("subjects use the same rule on num_subjects (0 when the server omits it)", () => {
      const v = stream("A", {
        subjects: 0,
        metadata: { "io.nats.monitor.subjects-warn": "10", "io.nats.monitor.subjects-critical": "1" },
      });
      const fs = evaluateStreams(snapshot([v]), undefined, thresholds());
      expect(fs.map((f) => [f.id, f.severity, f.code])).toEqual([["stream_subjects", "critical", "JETSTREAM_025"]]);
    });
  });

  describe("thresholds from metadata, overrides and defaults", () => {
    it("a malformed metadata value is a warning naming stream, key and value; the stream's other checks still run", () => {
      const v = stream("A", {
        peers: [peer("n2", { offline: true }), peer("n3", { activeMs: 61_000 })],
        metadata: { "io.nats.monitor.peer-seen-critical": "five minutes" },
      });
      const fs = evaluateStreams(snapshot([v]), undefined, thresholds());
      expect(ids(fs)).toEqual(["stream_peer_seen", "stream_peer_seen", "stream_replica_offline", "threshold_invalid"]);
      const w = only(fs, "threshold_invalid")[0]!;
      expect(w.severity).toBe("warning");
      expect(w.subject).toEqual({ cluster: "c1", account: "APP", stream: "A" });
      expect(w.summary).toContain('io.nats.monitor.peer-seen-critical="five minutes"');
      expect(w.values).toMatchObject({ key: "peer-seen-critical", value: "five minutes", origin: "metadata" });
      // The configured default (1m) applies instead of the unreadable value.
      for (const f of only(fs, "stream_peer_seen"))
        expect(f.values).toMatchObject({ threshold_ms: 60_000, threshold_origin: "default" });
    });

    it("metadata beats overrides, a later override beats an earlier one, overrides beat defaults", () => {
      const cfg = thresholds({
        overrides: [
          { stream: "*", values: { "peer-seen-critical": "10s" } },
          { account: "APP", stream: "ORD*", values: { "peer-seen-critical": "20s" } },
        ],
      });
      const p = [peer("n2", { activeMs: 15_000 }), peer("n3", { activeMs: 25_000 })];
      const byOverride = evaluateStreams(snapshot([stream("ORDERS", { peers: p })]), undefined, cfg);
      expect(byOverride.map((f) => [f.subject.peer, f.values.threshold_ms, f.values.threshold_origin])).toEqual([
        ["n3", 20_000, "override"],
      ]);
      const other = evaluateStreams(snapshot([stream("OTHERS", { peers: p })]), undefined, cfg);
      expect(other.map((f) => f.subject.peer)).toEqual(["n2", "n3"]);
      const byMetadata = evaluateStreams(
        snapshot([stream("ORDERS", { peers: p, metadata: { "io.nats.monitor.peer-seen-critical": "30s" } })]),
        undefined,
        cfg,
      );
      expect(byMetadata).toEqual([]);
    });

    it("a value <= 0 turns the check off, even the shipped default", () => {
      const v = stream("A", {
        peers: [peer("n2", { activeMs: 3_600_000 }), peer("n3")],
        metadata: { "io.nats.monitor.peer-seen-critical": "0" },
      });
      expect(evaluateStreams(snapshot([v]), undefined, thresholds())).toEqual([]);
      const neg = { ...v, metadata: { "io.nats.monitor.peer-seen-critical": "-1s" } };
      expect(evaluateStreams(snapshot([neg]), undefined, thresholds())).toEqual([]);
    });

    it("enabled=false opts a stream out (metadata or override); a bad enabled value is reported and ignored", () => {
      const broken = stream("A", { status: "leaderless", leader: undefined, peers: [] });
      expect(
        evaluateStreams(
          snapshot([{ ...broken, metadata: { "io.nats.monitor.enabled": "false" } }]),
          undefined,
          thresholds(),
        ),
      ).toEqual([]);
      expect(
        evaluateStreams(
          snapshot([broken]),
          undefined,
          thresholds({ overrides: [{ stream: "A", values: { enabled: "false" } }] }),
        ),
      ).toEqual([]);
      const bad = evaluateStreams(
        snapshot([{ ...broken, metadata: { "io.nats.monitor.enabled": "nope" } }]),
        undefined,
        thresholds(),
      );
      expect(ids(bad)).toEqual(["stream_quorum_lost", "threshold_invalid"]);
    });

    it("an unknown io.nats.monitor key is flagged as a likely typo; consumer keys are left alone", () => {
      const v = stream("A", {
        metadata: {
          "io.nats.monitor.peer-seen-critcal": "5s",
          "io.nats.monitor.outstanding-ack-critical": "10",
          other: "x",
        },
      });
      const fs = evaluateStreams(snapshot([v]), undefined, thresholds());
      expect(ids(fs)).toEqual(["threshold_invalid"]);
      expect(fs[0]!.summary).toContain("peer-seen-critcal");
      expect(fs[0]!.summary).not.toContain("outstanding-ack");
    });
  });

  describe("mirror stalled (JETSTREAM_015)", () => {
    const cfg = thresholds({ mirrorStallAfterMs: 300_000 });
    const src = (lastSeq: number, o = {}) => stream("SRC", { R: 1, lastSeq, ...o });
    const mirror = (activeMs: number, lag = 0, o = {}) =>
      stream("BACKUP", { R: 1, lastSeq: 100, mirror: upstream("SRC", { activeMs, lag }), ...o });
    const at = (t: number, streams: ReturnType<typeof stream>[], o = {}) =>
      snapshot(streams, { collectedAt: T0 + t, ...o });

    function runs(...snaps: ReturnType<typeof snapshot>[]): {
      findings: Finding[][];
      last: StreamsObservation | undefined;
    } {
      let prev: StreamsObservation | undefined;
      const findings: Finding[][] = [];
      for (const s of snaps) {
        findings.push(evaluateStreams(s, prev, cfg));
        prev = observeStreams(s, prev, cfg);
      }
      return { findings, last: prev };
    }

    it("fires when the mirror is silent at lag 0 and its source advanced since the previous run", () => {
      const r = runs(at(0, [src(100), mirror(500)]), at(60_000, [src(120), mirror(301_000)]));
      expect(r.findings[0]).toEqual([]);
      const f = only(r.findings[1]!, "mirror_stalled");
      expect(f).toHaveLength(1);
      expect(f[0]!.code).toBe("JETSTREAM_015");
      expect(f[0]!.subject).toEqual({ cluster: "c1", account: "APP", stream: "BACKUP", source: "SRC" });
      expect(f[0]!.values).toMatchObject({
        source_seq_before: 100,
        source_last_seq: 120,
        mirror_last_seq: 100,
        lag: 0,
        threshold_ms: 300_000,
      });
    });

    it("does not fire when the source is idle, when the mirror is active, or when it reports lag", () => {
      expect(runs(at(0, [src(100), mirror(500)]), at(60_000, [src(100), mirror(301_000)])).findings[1]).toEqual([]);
      expect(runs(at(0, [src(100), mirror(500)]), at(60_000, [src(120), mirror(1_000)])).findings[1]).toEqual([]);
      expect(runs(at(0, [src(100), mirror(500)]), at(60_000, [src(120), mirror(301_000, 20)])).findings[1]).toEqual([]);
    });

    it("needs a previous run: the first sighting of a silent mirror only records the source", () => {
      const r = runs(at(0, [src(100), mirror(400_000)]));
      expect(r.findings[0]).toEqual([]);
      expect(r.last!.mirrors[streamKey(mirror(0))]).toMatchObject({ seq: 100 });
    });

    it("keeps firing while the stall lasts, even across a run in which the source paused", () => {
      const r = runs(
        at(0, [src(100), mirror(500)]),
        at(60_000, [src(120), mirror(301_000)]),
        at(120_000, [src(120), mirror(361_000)]),
      );
      expect(only(r.findings[2]!, "mirror_stalled")).toHaveLength(1);
      expect(r.last!.mirrors[streamKey(mirror(0))]).toMatchObject({ seq: 100 });
    });

    it("resolves the source in another account (a unique name) and in another domain ($JS.<domain>.API)", () => {
      const other = stream("SRC", { R: 1, account: "OTHER", lastSeq: 100 });
      const m = (activeMs: number) =>
        stream("BACKUP", { R: 1, mirror: upstream("SRC", { activeMs, api: "$JS.OTHER.API" }) });
      const r = runs(at(0, [other, m(500)]), at(60_000, [{ ...other, lastSeq: 101 }, m(400_000)]));
      expect(only(r.findings[1]!, "mirror_stalled")[0]!.summary).toContain("OTHER > SRC");

      const edge = stream("SRC", { R: 1, domain: "edge", cluster: "edge", lastSeq: 5 });
      const em = (activeMs: number) =>
        stream("EM", { R: 3, mirror: upstream("SRC", { activeMs, api: "$JS.edge.API", domain: "edge" }) });
      const servers = [...snapshot([]).servers, { name: "e1", version: "2.15.1", domain: "edge" }];
      const d = runs(
        at(0, [edge, em(500)], { servers }),
        at(60_000, [{ ...edge, lastSeq: 8 }, em(400_000)], { servers }),
      );
      const f = only(d.findings[1]!, "mirror_stalled")[0]!;
      expect(f.summary).toContain("domain edge");
      expect(f.values).toMatchObject({ source_seq_before: 5, source_last_seq: 8 });
      // The source's own findings would name its domain as their cluster.
      expect(
        evaluateStreams(
          snapshot([{ ...edge, status: "leaderless", leader: undefined }], { servers }),
          undefined,
          cfg,
        )[0]!.subject.cluster,
      ).toBe("edge");
    });

    it("says so when the source cannot be resolved, instead of staying silent", () => {
      const em = stream("EM", {
        R: 3,
        mirror: upstream("SRC", { activeMs: 400_000, api: "$JS.edge.API", domain: "edge" }),
      });
      const fs = evaluateStreams(snapshot([em]), undefined, cfg);
      expect(fs).toHaveLength(1);
      expect(fs[0]!).toMatchObject({ id: "mirror_stalled", severity: "warning" });
      expect(fs[0]!.summary).toContain("no server of JetStream domain edge answered");
      expect(fs[0]!.values.source_resolved).toBe(false);
    });
  });

  describe("coverage and the observation document", () => {
    it("names silent servers and unjudged streams in one partial finding", () => {
      const s = snapshot([stream("A")], {
        silent: ["n4"],
        gaps: [
          { account: "APP", name: "B", domain: "hub", reason: "its leader n4 did not answer", unavailable: false },
        ],
      });
      const fs = evaluateStreams(s, undefined, thresholds());
      expect(ids(fs)).toEqual(["monitor_partial"]);
      expect(fs[0]!.summary).toContain("silent: n4");
      expect(fs[0]!.summary).toContain("APP > B (its leader n4 did not answer)");
    });

    it("a stream the listing calls missing or offline is stream_unavailable", () => {
      const s = snapshot([], {
        mode: "account",
        gaps: [{ account: "APP", name: "X", domain: "hub", reason: "offline: stream is offline", unavailable: true }],
      });
      const fs = evaluateStreams(s, undefined, thresholds());
      expect(fs.map((f) => [f.id, f.subject.stream, f.severity])).toEqual([["stream_unavailable", "X", "critical"]]);
    });

    it("a blind run yields monitor_blind alone and keeps the previous observation", () => {
      const prev: StreamsObservation = {
        at: T0,
        knownServers: ["n1"],
        mirrors: { "hub/APP/M": { source: "hub/APP/S", seq: 3, at: T0 } },
      };
      const s = snapshot([], { blind: "no server answered" });
      expect(ids(evaluateStreams(s, prev, thresholds()))).toEqual(["monitor_blind"]);
      expect(observeStreams(s, prev, thresholds())).toEqual(prev);
    });

    it("grows by each stream's key alone (placements grouped by holders); only mirrors leave a mark", () => {
      const many = (n: number) => snapshot(Array.from({ length: n }, (_, i) => stream(`S${i}`)));
      const small = JSON.stringify(observeStreams(many(10), undefined, thresholds()));
      const large = JSON.stringify(observeStreams(many(5000), undefined, thresholds()));
      // Each further stream costs its key, quoted, and a comma: nothing else per stream.
      const perStream = (i: number) => JSON.stringify(streamKey(stream(`S${i}`))).length + 1;
      let grown = 0;
      for (let i = 10; i < 5000; i++) grown += perStream(i);
      expect(large.length - small.length).toBe(grown);
    });
  });

  describe("which alerts a run may clear (slice covers)", () => {
    const alert = (subject: Finding["subject"], id = "stream_peer_seen"): AlertState => ({
      fingerprint: "x",
      firstSeen: T0,
      lastSeen: T0,
      clearRuns: 0,
      finding: {
        id,
        code: null,
        severity: "critical",
        summary: "",
        subject,
        why: "",
        action: "",
        commands: [],
        values: {},
      },
    });
    const gap = {
      account: "APP",
      name: "B",
      domain: "hub",
      reason: "its leader n4 did not answer",
      unavailable: false,
    };

    it("a stream judged from its leader, or found leaderless, is covered; one whose leader was silent is not", () => {
      const s = snapshot([stream("A"), stream("L", { status: "leaderless", leader: undefined })], {
        silent: ["n4"],
        gaps: [gap],
      });
      expect(
        streamsSlice
          .judge(s, undefined, DEFAULT_CONFIG)
          .covers(alert({ cluster: "c1", account: "APP", stream: "A", peer: "n2" })),
      ).toBe(true);
      expect(
        streamsSlice
          .judge(s, undefined, DEFAULT_CONFIG)
          .covers(alert({ cluster: "c1", account: "APP", stream: "L" }, "stream_quorum_lost")),
      ).toBe(true);
      expect(
        streamsSlice
          .judge(s, undefined, DEFAULT_CONFIG)
          .covers(alert({ cluster: "c1", account: "APP", stream: "B", peer: "n2" })),
      ).toBe(false);
      // Not seen at all this run (e.g. an R1 stream on a silent server): never reported healthy.
      expect(
        streamsSlice
          .judge(s, undefined, DEFAULT_CONFIG)
          .covers(alert({ cluster: "c1", account: "APP", stream: "GONE" })),
      ).toBe(false);
      expect(streamsSlice.judge(s, undefined, DEFAULT_CONFIG).covers(alert({ cluster: "c1" }, "monitor_partial"))).toBe(
        true,
      );
    });

    it("a blind run clears nothing but the blind alert", () => {
      const s = snapshot([stream("A")], { blind: "no server answered" });
      expect(
        streamsSlice.judge(s, undefined, DEFAULT_CONFIG).covers(alert({ cluster: "c1", account: "APP", stream: "A" })),
      ).toBe(false);
      expect(streamsSlice.judge(s, undefined, DEFAULT_CONFIG).covers(alert({ cluster: "c1" }, "monitor_partial"))).toBe(
        false,
      );
      expect(streamsSlice.judge(s, undefined, DEFAULT_CONFIG).covers(alert({ cluster: "c1" }, "monitor_blind"))).toBe(
        true,
      );
    });
  });
});
