// The collector's parsing and the checks on real replies captured from nats-server 2.10.27 and 2.15.1
// (test/streams/capture-fixtures.ts): a hub of 3 servers in domain "hub", an edge server in domain
// "edge" joined by leafnodes, streams in accounts APP and OTHER.
import { versionAtLeast } from "../../lib/nats/version.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateStreams, observeStreams } from "../../lib/checks/streams.ts";
import { expectedServerCount, parseJszReplies, parseStreamList } from "../../lib/collect/streams.ts";
import { newRequestStats } from "../../lib/nats/stats.ts";
import type { JszWire, StreamListWire, SysEnvelope } from "../../lib/nats/wire.ts";
import type { StreamsSnapshot } from "../../lib/snapshot/streams.ts";
import { projectRoot } from "../../lib/testbed/servers.ts";
import { thresholds } from "./builders.ts";

interface Fixture {
  version: string;
  captured: string;
  jsz: SysEnvelope<JszWire>[];
  jszStreamLeaderOnly?: SysEnvelope<JszWire>[];
  streamList?: StreamListWire;
  bytes?: Record<string, number>;
}

const load = (scenario: string, version: string): Fixture =>
  JSON.parse(
    readFileSync(join(projectRoot, "test", "fixtures", `streams-${scenario}-${version}.json`), "utf8"),
  ) as Fixture;

const parse = (f: Fixture, replies = f.jsz): StreamsSnapshot =>
  parseJszReplies(replies, {
    collectedAt: Date.parse(f.captured),
    connectedDomain: "hub",
    timeoutMs: 1000,
    stats: newRequestStats(),
  });

const names = (s: StreamsSnapshot) => s.streams.map((v) => `${v.domain}/${v.account}/${v.name}`);

for (const version of ["2.10.27", "2.15.1"]) {
  describe(`captured replies of nats-server ${version}`, () => {
    const healthy = load("healthy", version);

    it("takes every stream once, from the server that leads it, across both accounts and both domains", () => {
      const s = parse(healthy);
      expect(names(s)).toEqual([
        "edge/APP/SRC",
        "hub/APP/AGG",
        "hub/APP/BACKUP",
        "hub/APP/EDGEMIRROR",
        "hub/APP/NOSRC",
        "hub/APP/ONE",
        "hub/APP/ORDERS",
        "hub/APP/TWO",
        "hub/OTHER/PAY",
      ]);
      for (const v of s.streams) {
        expect(v.status).toBe("led");
        expect(v.reportedBy).toBe(v.leader);
        expect(v.peers).toHaveLength(v.replicas - 1);
        // The leader's view: every follower current and recently heard from.
        for (const p of v.peers) expect(p.current && p.activeMs < 10_000).toBe(true);
      }
      expect(s.servers.map((x) => x.domain).sort()).toEqual(["edge", "hub", "hub", "hub"]);
      expect(s.silent).toEqual([]);
      expect(expectedServerCount(healthy.jsz)).toBe(4);
      expect(s.gaps).toEqual([]);
    });

    it("reads mirrors, sources, external APIs and metadata as the leader reports them", () => {
      const s = parse(healthy);
      const by = (n: string) => s.streams.find((v) => v.name === n)!;
      expect(by("EDGEMIRROR").mirror).toMatchObject({ name: "SRC", api: "$JS.edge.API", domain: "edge", lag: 0 });
      expect(by("BACKUP").mirror).toMatchObject({ name: "ORDERS", lag: 0 });
      expect(by("BACKUP").lastSeq).toBe(10);
      expect(by("NOSRC").mirror!.activeMs).toBe(-1);
      expect(
        by("AGG")
          .sources.map((x) => x.name)
          .sort(),
      ).toEqual(["ONE", "ORDERS"]);
      expect(by("ORDERS").metadata?.["io.nats.monitor.peer-seen-critical"]).toBe("5s");
      expect(by("ORDERS").ageMs).toBeGreaterThan(0);
      if (versionAtLeast(version, "2.11.0")) expect(by("ORDERS").leaderForMs).toBeGreaterThanOrEqual(0);
      else expect(by("ORDERS").leaderForMs).toBeUndefined();
    });

    it("a healthy cluster yields nothing, with the shipped defaults and with every check turned on", () => {
      expect(evaluateStreams(parse(healthy), undefined, thresholds())).toEqual([]);
      const strict = thresholds({
        defaults: { "peer-lag-critical": "1000", "lag-critical": "1000", "seen-critical": "1h" },
      });
      expect(evaluateStreams(parse(healthy), undefined, strict)).toEqual([]);
    });

    it("stream_leader_only gives the same led streams in fewer bytes", () => {
      const lo = parse(healthy, healthy.jszStreamLeaderOnly);
      expect(names(lo)).toEqual(names(parse(healthy)));
      expect(healthy.bytes!.leaderOnlyDecoded).toBeLessThan(healthy.bytes!.fullDecoded!);
    });

    it("STREAM.LIST (account mode) gives the account's streams, led, with mirror state", () => {
      const s = parseStreamList([healthy.streamList!], {
        collectedAt: Date.parse(healthy.captured),
        account: "APP",
        server: { name: "x", version, domain: "hub" },
        stats: newRequestStats(),
      });
      expect(s.streams.map((v) => v.name)).toEqual(["AGG", "BACKUP", "EDGEMIRROR", "NOSRC", "ONE", "ORDERS", "TWO"]);
      expect(s.streams.every((v) => v.status === "led" && v.account === "APP")).toBe(true);
      expect(s.streams.find((v) => v.name === "EDGEMIRROR")!.mirror).toMatchObject({ name: "SRC", domain: "edge" });
      expect(s.gaps).toEqual([]);
      expect(evaluateStreams(s, undefined, thresholds())).toEqual([]);
    });

    it("a cut leafnode link: the mirror is silent at lag 0 (JETSTREAM_018), and stalled against its growing source (JETSTREAM_015)", () => {
      const cut = load("mirror-cut", version);
      const seen = thresholds({ overrides: [{ stream: "EDGEMIRROR", values: { "seen-critical": "3s" } }] });
      const fs = evaluateStreams(parse(cut), undefined, seen).filter((f) => f.subject.stream === "EDGEMIRROR");
      expect(fs.map((f) => f.id)).toEqual(["mirror_seen"]);
      expect(fs[0]!.values.lag).toBe(0);
      expect(Number(fs[0]!.values.active_ms)).toBeGreaterThan(3000);

      const stall = thresholds({ mirrorStallAfterMs: 3000 });
      const prev = observeStreams(parse(healthy), undefined, stall);
      const stalled = evaluateStreams(parse(cut), prev, stall).filter((f) => f.id === "mirror_stalled");
      expect(stalled.map((f) => [f.subject.stream, f.subject.source, f.severity])).toEqual([
        ["EDGEMIRROR", "SRC", "warning"], // JETSTREAM_015 is a warning in the catalog
        // A mirror of a stream that does not exist cannot be compared with it: said, not skipped.
        ["NOSRC", "DOES_NOT_EXIST", "warning"],
      ]);
      expect(stalled[0]!.values).toMatchObject({
        source_seq_before: 5,
        source_last_seq: 8,
        mirror_last_seq: 5,
        lag: 0,
      });
      expect(stalled[1]!.summary).toContain("cannot tell whether the source advanced");
    });

    it("two of three servers stopped: leaderless streams are quorum lost, the silent servers named", () => {
      const down = load("two-down", version);
      const s = parse(down);
      expect(s.servers.map((x) => x.name)).toHaveLength(1);
      expect(s.silent).toHaveLength(2);
      const fs = evaluateStreams(s, undefined, thresholds());
      const lost = fs
        .filter((f) => f.code === "JETSTREAM_008")
        .map((f) => `${f.subject.account}/${f.subject.stream}`)
        .sort();
      expect(lost).toEqual(["APP/BACKUP", "APP/EDGEMIRROR", "APP/ORDERS", "OTHER/PAY"]);
      const partial = fs.find((f) => f.id === "monitor_partial")!;
      for (const n of s.silent) expect(partial.summary).toContain(n);
      // Without stream_leader_only every holder reports a leaderless stream: none goes unseen.
      expect(s.streams.filter((v) => v.status === "leaderless")).toHaveLength(4);
    });
  });
}
