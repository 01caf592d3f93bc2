// Consumer checks as pure functions of (snapshot, previous observation, thresholds): the cases a
// real cluster cannot be made to show on demand (an even group with half its peers down, a stream
// reset under a consumer, a backlog growing over many runs) and what a run may clear.
import { describe, expect, it } from "vitest";
import type { AlertState } from "../../lib/alerts/alert.ts";
import { judgeConsumers, type ConsumersObservation } from "../../lib/checks/consumers/judge.ts";
import type { Finding } from "../../lib/findings/finding.ts";
import { newRequestStats } from "../../lib/nats/stats.ts";
import type { ConsumersSnapshot, ConsumerView } from "../../lib/snapshot/consumers.ts";
import { DEFAULT_CONSUMER_THRESHOLDS, type ConsumerThresholdConfig } from "../../lib/thresholds/consumer-keys.ts";

const peer = (
  name: string,
  o: Partial<{ offline: boolean; activeMs: number; lag: number; current: boolean }> = {},
) => ({ name, current: o.current ?? true, offline: o.offline ?? false, activeMs: o.activeMs ?? 500, lag: o.lag ?? 0 });

function consumer(o: Partial<ConsumerView> = {}): ConsumerView {
  return {
    account: "APP",
    stream: "ORDERS",
    name: "W",
    durable: true,
    replicas: 3,
    status: "led",
    leader: "n1",
    peers: [peer("n2"), peer("n3")],
    holders: ["n1", "n2", "n3"],
    delivered: { consumerSeq: 10, streamSeq: 10 },
    ackFloor: { consumerSeq: 10, streamSeq: 10 },
    numPending: 0,
    numAckPending: 0,
    numRedelivered: 0,
    numWaiting: 0,
    maxAckPending: 1000,
    ackPolicy: "explicit",
    paused: false,
    filtered: false,
    streamFirstSeq: 1,
    streamLastSeq: 10,
    reportedBy: "n1",
    ...o,
  };
}

function snap(consumers: ConsumerView[], at = 1_000_000, o: Partial<ConsumersSnapshot> = {}): ConsumersSnapshot {
  return {
    collectedAt: at,
    cluster: "c1",
    stats: newRequestStats(),
    mode: "system",
    servers: ["n1", "n2", "n3"].map((name) => ({ name, version: "2.15.1" })),
    silent: [],
    consumers,
    gaps: [],
    problems: [],
    pages: 1,
    ...o,
  };
}

const cfg = (
  over: Partial<ConsumerThresholdConfig> = {},
  defaults: Record<string, string> = {},
): ConsumerThresholdConfig => ({
  ...DEFAULT_CONSUMER_THRESHOLDS,
  ...over,
  defaults: { ...DEFAULT_CONSUMER_THRESHOLDS.defaults, ...defaults },
});
const ids = (fs: Finding[]) => fs.map((f) => f.id).sort();
const alert = (f: Finding): AlertState => ({ finding: f }) as AlertState;

describe("consumer replicas and quorum", () => {
  it("a healthy R3 consumer gives nothing", () => {
    expect(judgeConsumers(snap([consumer()]), undefined, cfg()).findings).toEqual([]);
  });

  it("an R4 consumer with two followers offline has lost quorum (the catalog's offline*2 > R misses it)", () => {
    const v = consumer({
      replicas: 4,
      peers: [peer("n2", { offline: true }), peer("n3", { offline: true }), peer("n4")],
    });
    const f = judgeConsumers(snap([v]), undefined, cfg()).findings;
    expect(ids(f)).toEqual([
      "consumer_peer_seen",
      "consumer_peer_seen",
      "consumer_quorum_lost",
      "consumer_replica_offline",
      "consumer_replica_offline",
    ]);
    expect(f.find((x) => x.id === "consumer_quorum_lost")!.values).toMatchObject({ online: 2, replicas: 4, quorum: 3 });
  });

  it("a leaderless consumer is CONSUMER_003 naming its holders; only its quorum alerts may clear", () => {
    const v = consumer({ status: "leaderless", holders: ["n2", "n3"] });
    delete v.leader;
    const j = judgeConsumers(snap([v]), undefined, cfg());
    expect(ids(j.findings)).toEqual(["consumer_quorum_lost"]);
    expect(j.findings[0]!.summary).toContain("n2, n3");
    const seen = judgeConsumers(
      snap([consumer({ peers: [peer("n2", { offline: true }), peer("n3")] })]),
      undefined,
      cfg(),
    ).findings.find((x) => x.id === "consumer_peer_seen")!;
    expect(j.covers(alert(seen))).toBe(false);
    expect(j.covers(alert(j.findings[0]!))).toBe(true);
  });

  it("peer lag above the threshold is CONSUMER_002, a warning", () => {
    const f = judgeConsumers(
      snap([consumer({ peers: [peer("n2", { lag: 1001 }), peer("n3", { lag: 1000 })] })]),
      undefined,
      cfg(),
    ).findings;
    expect(f.map((x) => [x.id, x.code, x.severity, x.subject.peer])).toEqual([
      ["consumer_peer_lag", "CONSUMER_002", "warning", "n2"],
    ]);
  });
});

describe("consumer position", () => {
  it("delivered beyond the stream's last sequence in two runs in a row is CONSUMER_005 (one run may be a race)", () => {
    const ahead = consumer({ streamFirstSeq: 1, streamLastSeq: 4 });
    const first = judgeConsumers(snap([ahead]), undefined, cfg());
    expect(first.findings).toEqual([]);
    expect(ids(judgeConsumers(snap([ahead], 1_060_000), first.observation, cfg()).findings)).toEqual([
      "consumer_ahead_of_stream",
    ]);
    const caughtUp = judgeConsumers(snap([consumer()], 1_060_000), first.observation, cfg());
    expect(caughtUp.findings).toEqual([]);
  });

  it("a consumer that delivered nothing yet and waits for a start sequence beyond the stream is not ahead", () => {
    const waiting = consumer({
      optStartSeq: 100,
      delivered: { consumerSeq: 0, streamSeq: 99 },
      ackFloor: { consumerSeq: 0, streamSeq: 99 },
      streamLastSeq: 5,
    });
    const first = judgeConsumers(snap([waiting]), undefined, cfg());
    expect(judgeConsumers(snap([waiting], 1_060_000), first.observation, cfg()).findings).toEqual([]);
    // Once it has delivered, or sits anywhere but just before its start, the stream lost what it had.
    for (const o of [
      { delivered: { consumerSeq: 3, streamSeq: 99 } },
      { delivered: { consumerSeq: 0, streamSeq: 120 } },
    ]) {
      const ahead = consumer({ ...waiting, ...o });
      const before = judgeConsumers(snap([ahead]), undefined, cfg());
      expect(ids(judgeConsumers(snap([ahead], 1_060_000), before.observation, cfg()).findings)).toEqual([
        "consumer_ahead_of_stream",
      ]);
    }
  });

  it("a filtered consumer with nothing pending is not judged behind a stream that moved on", () => {
    const v = { delivered: { consumerSeq: 3, streamSeq: 5 }, streamFirstSeq: 100, streamLastSeq: 120 };
    expect(judgeConsumers(snap([consumer({ ...v, filtered: true })]), undefined, cfg()).findings).toEqual([]);
    expect(
      ids(judgeConsumers(snap([consumer({ ...v, filtered: true, numPending: 2 })]), undefined, cfg()).findings),
    ).toEqual(["consumer_behind_stream"]);
  });
});

describe("the NATS tools' consumer keys", () => {
  it("compare with >=, a value <= 0 disables, and never acknowledged counts for last-ack", () => {
    const md = {
      "io.nats.monitor.outstanding-ack-critical": "5",
      "io.nats.monitor.waiting-critical": "3",
      "io.nats.monitor.redelivery-critical": "2",
      "io.nats.monitor.last-ack-critical": "1m",
      "io.nats.monitor.unprocessed-critical": "0",
    };
    const at = consumer({
      metadata: md,
      numAckPending: 5,
      numWaiting: 3,
      numRedelivered: 2,
      numPending: 1000,
      ackFloor: { consumerSeq: 0, streamSeq: 0 },
    });
    const f = judgeConsumers(snap([at]), undefined, cfg()).findings;
    expect(f.map((x) => x.code).sort()).toEqual(["CONSUMER_006", "CONSUMER_007", "CONSUMER_010", "CONSUMER_011"]);
    const below = consumer({
      metadata: md,
      numAckPending: 4,
      numWaiting: 2,
      numRedelivered: 1,
      ackFloor: { consumerSeq: 9, streamSeq: 9, agoMs: 59_000 },
    });
    expect(judgeConsumers(snap([below]), undefined, cfg()).findings).toEqual([]);
  });
});

describe("consumer history", () => {
  it("a backlog growing in each of the last K runs by more than the factor warns with the rates", () => {
    let prev: ConsumersObservation | undefined;
    let last: Finding[] = [];
    for (let i = 0; i <= 3; i++) {
      const at = 1_000_000 + i * 60_000;
      const v = consumer({
        numPending: 10 * 3 ** i,
        streamLastSeq: 1000 + 100 * i,
        delivered: { consumerSeq: 500 + 10 * i, streamSeq: 500 + 10 * i },
      });
      const j = judgeConsumers(snap([v], at), prev, cfg({ backlogRuns: 3 }));
      prev = j.observation;
      last = j.findings.filter((f) => f.id === "consumer_backlog_growing");
      if (i < 3) expect(last).toEqual([]);
    }
    expect(last).toHaveLength(1);
    expect(last[0]!.values).toMatchObject({ pending_start: 10, pending_end: 270, runs: 3 });
    expect(last[0]!.summary).toContain("never catches up");
  });

  it("a pause stops the stuck clock; it restarts on resume", () => {
    const c = cfg({}, { "stuck-after": "1m" });
    const stuck = (paused: boolean) => consumer({ numPending: 5, paused });
    let j = judgeConsumers(snap([stuck(false)], 0), undefined, c);
    j = judgeConsumers(snap([stuck(true)], 120_000), j.observation, c);
    expect(j.findings).toEqual([]);
    j = judgeConsumers(snap([stuck(false)], 130_000), j.observation, c);
    expect(j.findings).toEqual([]);
    j = judgeConsumers(snap([stuck(false)], 200_000), j.observation, c);
    expect(ids(j.findings)).toEqual(["consumer_stuck"]);
  });
});

describe("the wedged clock", () => {
  const c = cfg({}, { "wedged-after": "5m" });
  const at = (d: number, a: number, ackPending: number) =>
    consumer({
      delivered: { consumerSeq: d, streamSeq: d },
      ackFloor: { consumerSeq: a, streamSeq: a },
      numAckPending: ackPending,
      streamLastSeq: d,
    });

  it("starts when deliveries go unacknowledged, not when the ack floor last moved: an idle hour is no wedge", () => {
    // Caught up and idle for an hour: the ack floor has not moved because nothing was delivered.
    let j = judgeConsumers(snap([at(10, 10, 0)], 0), undefined, c);
    j = judgeConsumers(snap([at(10, 10, 0)], 3_600_000), j.observation, c);
    // A burst arrives and the run sees it before the handlers acknowledge it.
    j = judgeConsumers(snap([at(30, 10, 20)], 3_660_000), j.observation, c);
    expect(j.findings).toEqual([]);
    // Still unacknowledged, deliveries going on, five minutes after the burst began: wedged.
    j = judgeConsumers(snap([at(40, 10, 30)], 3_960_001), j.observation, c);
    expect(ids(j.findings)).toEqual(["consumer_wedged"]);
    expect(j.findings[0]!.values.unmoved_ms).toBe(300_001);
  });

  it("keeps running while something stays outstanding", () => {
    let j = judgeConsumers(snap([at(10, 5, 5)], 0), undefined, c);
    j = judgeConsumers(snap([at(20, 5, 15)], 200_000), j.observation, c);
    expect(j.findings).toEqual([]);
    j = judgeConsumers(snap([at(30, 5, 25)], 300_001), j.observation, c);
    expect(ids(j.findings)).toEqual(["consumer_wedged"]);
  });
});

describe("what a run may clear", () => {
  const f = judgeConsumers(
    snap([consumer({ peers: [peer("n2", { activeMs: 90_000 }), peer("n3")] })]),
    undefined,
    cfg(),
  ).findings[0]!;

  it("a consumer whose leader is silent keeps its alerts open and its marks", () => {
    const prev = judgeConsumers(snap([consumer({ numPending: 3 })]), undefined, cfg()).observation;
    const j = judgeConsumers(
      snap([], 2_000_000, {
        silent: ["n1"],
        gaps: [{ account: "APP", stream: "ORDERS", name: "W", reason: "its leader n1 did not answer" }],
      }),
      prev,
      cfg(),
    );
    expect(j.covers(alert(f))).toBe(false);
    expect(Object.keys(j.observation.marks)).toEqual(["/APP/ORDERS/W"]);
    expect(ids(j.findings)).toEqual(["monitor_partial"]);
  });

  it("a consumer nobody reports while every server answered is gone: its alerts clear", () => {
    expect(judgeConsumers(snap([]), undefined, cfg()).covers(alert(f))).toBe(true);
    expect(judgeConsumers(snap([], 1, { silent: ["n4"] }), undefined, cfg()).covers(alert(f))).toBe(false);
  });

  it("a blind run clears nothing but its own blindness", () => {
    const j = judgeConsumers(snap([], 1, { blind: "connection refused" }), undefined, cfg());
    expect(ids(j.findings)).toEqual(["monitor_blind"]);
    expect(j.covers(alert(f))).toBe(false);
  });
});
