// The escalation rule (README, "Alert lifecycle"): when a stronger condition supersedes a weaker one
// for the same peer (peer seen -> offline -> quorum lost), the weaker alert stays open instead of
// sending "resolved" for an outage that got worse. Pure: built snapshots through the slices'
// evaluate and covers, and the real reconcile, run after run.
import { describe, expect, it } from "vitest";
import { emptyBook, type AlertBook, type NoticeKind } from "../../lib/alerts/alert.ts";
import { reconcile } from "../../lib/alerts/reconcile.ts";
import type { MetaObservation } from "../../lib/checks/meta.ts";
import type { StreamsObservation } from "../../lib/checks/streams.ts";
import { DEFAULT_CONFIG, type LookoutConfig } from "../../lib/config/config.ts";
import { newRequestStats } from "../../lib/nats/stats.ts";
import { metaSlice } from "../../lib/slices/meta.ts";
import type { SnapshotBase, Slice } from "../../lib/slices/slice.ts";
import { streamsSlice } from "../../lib/slices/streams.ts";
import type { MetaPeer, MetaSnapshot } from "../../lib/snapshot/meta.ts";
import type { StreamsSnapshot } from "../../lib/snapshot/streams.ts";
import { peer, snapshot, stream, T0, upstream } from "../streams/builders.ts";

const config: LookoutConfig = structuredClone(DEFAULT_CONFIG);
const policy = {
  remindAfterMs: config.alerts.remindAfterMs,
  resolveAfterRuns: 2,
  claimLeaseMs: config.alerts.claimLeaseMs,
};
const MIN = 60_000;

type Transition = `${NoticeKind} ${string}`;

/** Runs a slice over snapshots as the pipeline does (judge, reconcile); the notices of each run. */
function lifecycle<S extends SnapshotBase, O>(slice: Slice<S, O>, snaps: S[]): Transition[][] {
  let book: AlertBook = emptyBook();
  let prev: O | undefined;
  const out: Transition[][] = [];
  for (const s of snaps) {
    const j = slice.judge(s, prev, config);
    const r = reconcile(book, j.findings, s.collectedAt, policy, j.covers);
    out.push(r.queued.map((n): Transition => `${n.kind} ${n.fingerprint}`));
    book = { ...r.book, outbox: [] }; // delivered
    prev = j.observation;
  }
  return out;
}

describe("streams: peer seen -> offline -> quorum lost never resolves on the way down", () => {
  const at = (i: number, v: ReturnType<typeof stream>): StreamsSnapshot => snapshot([v], { collectedAt: T0 + i * MIN });
  const fp = (id: string) => `${id}|cluster=c1|account=APP|stream=A|peer=n2`;

  it("keeps JETSTREAM_023 open while its replica is offline and while the stream has no leader; resolves once healthy", () => {
    const unseen = stream("A", { peers: [peer("n2", { activeMs: 90_000, current: false }), peer("n3")] });
    const offline = stream("A", {
      peers: [peer("n2", { activeMs: 200_000, current: false, offline: true }), peer("n3")],
    });
    const leaderless = stream("A", {
      status: "leaderless",
      leader: undefined,
      holders: ["n1"],
      peers: [peer("n1"), peer("n2", { offline: true }), peer("n3", { offline: true })],
    });
    const healthy = stream("A");
    const notices = lifecycle(streamsSlice, [
      at(0, unseen),
      at(1, offline),
      at(2, offline),
      at(3, offline),
      at(4, leaderless),
      at(5, leaderless),
      at(6, leaderless),
      at(7, healthy),
      at(8, healthy),
    ]);
    expect(notices[0]).toEqual([`new ${fp("stream_peer_seen")}`]);
    expect(notices[1]).toEqual([`new ${fp("stream_replica_offline")}`]);
    // While things only got worse, nothing about this peer resolved.
    for (const run of notices.slice(1, 7)) expect(run.filter((n) => n.startsWith("resolved"))).toEqual([]);
    expect(notices[4]).toEqual(["new stream_quorum_lost|cluster=c1|account=APP|stream=A"]);
    // Healthy again: everything resolves, once, after two clear runs.
    expect(notices[8]!.sort()).toEqual(
      [
        `resolved ${fp("stream_peer_seen")}`,
        `resolved ${fp("stream_replica_offline")}`,
        "resolved stream_quorum_lost|cluster=c1|account=APP|stream=A",
      ].sort(),
    );
  });

  it("an offline replica's peer-seen finding says it is offline now (the alert's text follows the escalation)", () => {
    const offline = stream("A", {
      peers: [peer("n2", { activeMs: 200_000, current: false, offline: true }), peer("n3")],
    });
    const f = streamsSlice
      .judge(at(0, offline), undefined as StreamsObservation | undefined, config)
      .findings.find((x) => x.id === "stream_peer_seen")!;
    expect(f.summary).toBe(
      "APP > A: replica n2 is offline (marked by leader n1, last heard from 3m20s ago; threshold 1m)",
    );
  });

  it("a leaderless stream leaves its replicas' alerts as they were; its own alerts are judged", () => {
    const s = at(0, stream("A", { status: "leaderless", leader: undefined, holders: ["n1"], peers: [] }));
    const alert = (id: string, subject: Record<string, string>) => ({
      fingerprint: id,
      firstSeen: T0,
      lastSeen: T0,
      clearRuns: 0,
      finding: {
        id,
        code: null,
        severity: "critical" as const,
        summary: "",
        subject,
        why: "",
        action: "",
        commands: [],
        values: {},
      },
    });
    expect(
      streamsSlice
        .judge(s, undefined, config)
        .covers(alert("stream_peer_seen", { cluster: "c1", account: "APP", stream: "A", peer: "n2" })),
    ).toBe(false);
    expect(
      streamsSlice
        .judge(s, undefined, config)
        .covers(alert("stream_replica_offline", { cluster: "c1", account: "APP", stream: "A", peer: "n2" })),
    ).toBe(false);
    expect(
      streamsSlice
        .judge(s, undefined, config)
        .covers(alert("stream_quorum_lost", { cluster: "c1", account: "APP", stream: "A" })),
    ).toBe(true);
    // Its peer count (peer-expect) is a leader's report too.
    expect(
      streamsSlice
        .judge(s, undefined, config)
        .covers(alert("stream_peer_expect", { cluster: "c1", account: "APP", stream: "A" })),
    ).toBe(false);
  });

  it("a mirror that stops being heard from, then loses its leader, keeps JETSTREAM_018 open (only a leader reports its mirror)", () => {
    const cfg = structuredClone(config);
    cfg.thresholds.streams.defaults["seen-critical"] = "1m";
    const mirror = (o: Partial<ReturnType<typeof stream>>) =>
      stream("M", { mirror: upstream("SRC", { activeMs: 120_000 }), ...o });
    const leaderless = stream("M", { status: "leaderless", leader: undefined, holders: ["n1"], peers: [] }); // a holder's entry: no mirror section
    let book: AlertBook = emptyBook();
    const kinds: string[][] = [];
    for (const [i, v] of [mirror({}), leaderless, leaderless, leaderless].entries()) {
      const snap = snapshot([v], { collectedAt: T0 + i * MIN });
      const j = streamsSlice.judge(snap, undefined, cfg);
      const r = reconcile(book, j.findings, snap.collectedAt, policy, j.covers);
      kinds.push(r.queued.map((n) => `${n.kind} ${n.finding.id}`));
      book = { ...r.book, outbox: [] };
    }
    expect(kinds[0]).toEqual(["new mirror_seen"]);
    expect(kinds.slice(1).flat()).toEqual(["new stream_quorum_lost"]);
  });
});

describe("meta: peer seen -> offline -> unreported/quorum lost never resolves on the way down", () => {
  const members = ["a", "b", "c"];
  const snap = (i: number, peers: MetaPeer[] | undefined, clusterSize = 3): MetaSnapshot => {
    const s: MetaSnapshot = {
      collectedAt: T0 + i * MIN,
      cluster: "c1",
      expectedServers: 3,
      problems: [],
      stats: newRequestStats(),
      servers: members
        .filter((m) => m === "a" || peers?.some((p) => p.name === m && !p.offline && p.activeMs < 30_000))
        .map((name) => ({ name, version: "2.15.1", ...(peers ? { metaLeader: "a" } : {}) })),
    };
    if (peers) s.leaderView = { leader: "a", clusterSize, peers };
    return s;
  };
  const p = (name: string, o: Partial<MetaPeer> = {}): MetaPeer => ({
    name,
    current: true,
    offline: false,
    activeMs: 200,
    lag: 0,
    ...o,
  });
  const fp = (id: string) => `${id}|cluster=c1|peer=c`;

  it("keeps meta_peer_seen open while the peer is offline, unlisted by the leader, or the group has no leader", () => {
    const runs = [
      snap(0, [p("b"), p("c", { activeMs: 45_000, current: false })]), // unseen
      snap(1, [p("b"), p("c", { activeMs: 60_000, current: false, offline: true })]), // offline (META_001)
      snap(2, [p("b"), p("c", { activeMs: 120_000, current: false, offline: true })]),
      snap(3, [p("b"), p("c", { activeMs: 180_000, current: false, offline: true })]),
      snap(4, [p("b")]), // the leader's list leaves it out while the group has 3 members
      snap(5, [p("b")]),
      snap(6, undefined), // no leader at all
      snap(7, undefined),
      snap(8, [p("b"), p("c")]),
      snap(9, [p("b"), p("c")]),
    ];
    const notices = lifecycle(metaSlice, runs);
    expect(notices[0]).toContain(`new ${fp("meta_peer_seen")}`);
    expect(notices[1]).toContain(`new ${fp("meta_offline_replica")}`);
    for (const run of notices.slice(1, 8))
      expect(run.filter((n) => n.startsWith("resolved") && n.endsWith("peer=c"))).toEqual([]);
    expect(notices[9]).toEqual(
      expect.arrayContaining([`resolved ${fp("meta_peer_seen")}`, `resolved ${fp("meta_offline_replica")}`]),
    );
  });

  it("a peer missing from a complete list (peer-removed: the group is smaller) may clear", () => {
    const removed = snap(0, [p("b")], 2);
    const alert = {
      fingerprint: "x",
      firstSeen: T0,
      lastSeen: T0,
      clearRuns: 0,
      finding: {
        id: "meta_peer_seen",
        code: null,
        severity: "critical" as const,
        summary: "",
        subject: { cluster: "c1", peer: "c" },
        why: "",
        action: "",
        commands: [],
        values: {},
      },
    };
    expect(metaSlice.judge(removed, undefined, config).covers(alert)).toBe(true);
    expect(metaSlice.judge(snap(0, [p("b")], 3), undefined, config).covers(alert)).toBe(false);
    expect(metaSlice.judge(snap(0, [p("b"), p("c")], 3), undefined, config).covers(alert)).toBe(true);
  });

  it("the observation keeps the group's distinct members for META_009", () => {
    const o = metaSlice.judge(snap(0, [p("b"), p("c")]), undefined as MetaObservation | undefined, config).observation;
    expect(o.members).toEqual(["a", "b", "c"]);
  });
});
