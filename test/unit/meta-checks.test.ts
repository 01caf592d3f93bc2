// Pure meta checks on real replies captured from each server line, and on edited copies of them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateMeta, observeMeta, type MetaObservation } from "../../lib/checks/meta.ts";
import { quorumOf } from "../../lib/core/raft.ts";
import { parseMetaReplies } from "../../lib/collect/meta.ts";
import { DEFAULT_CONFIG } from "../../lib/config/config.ts";
import { newRequestStats } from "../../lib/nats/stats.ts";
import type { JszWire, SysEnvelope } from "../../lib/nats/wire.ts";
import type { MetaSnapshot } from "../../lib/snapshot/meta.ts";

const T = { ...DEFAULT_CONFIG.thresholds.meta, peerSeenCriticalMs: 30_000, peerLagCritical: 1000 };
const fixture = (v: string): SysEnvelope<JszWire>[] =>
  (
    JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", `jsz-${v}.json`), "utf8")) as {
      jsz: SysEnvelope<JszWire>[];
    }
  ).jsz;
const parse = (replies: SysEnvelope<JszWire>[], at = 1_000_000): MetaSnapshot =>
  parseMetaReplies(replies, { collectedAt: at, timeoutMs: 1000, stats: newRequestStats() });
const ids = (fs: { id: string }[]) => fs.map((f) => f.id).sort();
const clone = <T>(x: T): T => structuredClone(x);
const leaderOf = (replies: SysEnvelope<JszWire>[]) =>
  replies.find((r) => r.data?.meta_cluster?.leader === r.server.name)!;

describe.each(["2.9.10", "2.10.27", "2.15.1"])("meta checks on captured %s replies", (version) => {
  const replies = fixture(version);

  it("reads the leader's view and finds nothing wrong with a healthy cluster", () => {
    const snap = parse(replies);
    expect(snap.servers).toHaveLength(3);
    expect(snap.expectedServers).toBe(3);
    expect(snap.leaderView?.peers).toHaveLength(2);
    expect(snap.leaderView?.peers.every((p) => p.activeMs > 0 && p.activeMs < 5000)).toBe(true);
    expect(evaluateMeta(snap, undefined, T)).toEqual([]);
  });

  it("judges peers only from the leader's own reply, never from a follower's", () => {
    const edited = clone(replies);
    for (const r of edited) {
      if (r === leaderOf(edited) || !r.data?.meta_cluster) continue;
      r.data.meta_cluster.replicas = [{ name: "ghost", current: false, offline: true, active: 9e12, lag: 99999 }];
    }
    expect(evaluateMeta(parse(edited), undefined, T)).toEqual([]);
  });

  it("flags a peer not seen past the threshold, with the numbers", () => {
    const edited = clone(replies);
    const p = leaderOf(edited).data!.meta_cluster!.replicas![0]!;
    p.active = 45e9;
    p.current = false;
    const f = evaluateMeta(parse(edited), undefined, T);
    expect(ids(f)).toEqual(["meta_peer_seen"]);
    expect(f[0]!.subject.peer).toBe(p.name);
    expect(f[0]!.values).toMatchObject({ active_ms: 45_000, threshold_ms: 30_000 });
    expect(f[0]!.summary).toMatch(/45\.?0?s ago \(threshold 30s\)/);
  });

  it("does not flag peer seen with the threshold off, nor a peer the leader never heard from", () => {
    const edited = clone(replies);
    const [a, b] = leaderOf(edited).data!.meta_cluster!.replicas!;
    a!.active = 45e9;
    b!.active = 0;
    b!.current = false;
    expect(evaluateMeta(parse(edited), undefined, { ...T, peerSeenCriticalMs: undefined })).toEqual([]);
    expect(ids(evaluateMeta(parse(edited), undefined, T))).toEqual(["meta_peer_seen"]);
  });

  it("flags lag past its threshold and only then", () => {
    const edited = clone(replies);
    leaderOf(edited).data!.meta_cluster!.replicas![1]!.lag = 1001;
    expect(ids(evaluateMeta(parse(edited), undefined, T))).toEqual(["meta_peer_lag"]);
    leaderOf(edited).data!.meta_cluster!.replicas![1]!.lag = 1000;
    expect(evaluateMeta(parse(edited), undefined, T)).toEqual([]);
  });

  it("flags an offline peer as META_001, keeps peer seen firing for it (escalation), and says how many more failures the group survives", () => {
    const edited = clone(replies);
    const p = leaderOf(edited).data!.meta_cluster!.replicas![0]!;
    p.offline = true;
    p.active = 400e9;
    const f = evaluateMeta(parse(edited), undefined, T);
    expect(ids(f)).toEqual(["meta_offline_replica", "meta_peer_seen"]);
    const off = f.find((x) => x.id === "meta_offline_replica")!;
    expect(off.code).toBe("META_001");
    expect(off.values.survives).toBe(0);
    // An offline peer is certainly not seen: the peer-seen alert stays open, saying it is offline now.
    const seen = f.find((x) => x.id === "meta_peer_seen")!;
    expect(seen.subject.peer).toBe(p.name);
    expect(seen.summary).toContain(`${p.name} is offline`);
    expect(seen.values).toMatchObject({ offline: true, threshold_ms: 30_000 });
    // Peer seen turned off: META_001 alone.
    expect(ids(evaluateMeta(parse(edited), undefined, { ...T, peerSeenCriticalMs: undefined }))).toEqual([
      "meta_offline_replica",
    ]);
  });

  it("reports quorum lost when every follower is offline", () => {
    const edited = clone(replies);
    for (const p of leaderOf(edited).data!.meta_cluster!.replicas!) p.offline = true;
    const f = evaluateMeta(parse(edited), undefined, T);
    expect(f.filter((x) => x.code === "META_006")).toHaveLength(1);
    expect(f.filter((x) => x.code === "META_001")).toHaveLength(2);
  });

  it("reports quorum lost when no server knows a leader", () => {
    const edited = clone(replies);
    for (const r of edited) delete r.data!.meta_cluster!.leader;
    const f = evaluateMeta(parse(edited), undefined, T);
    expect(ids(f)).toEqual(["meta_quorum_lost"]);
    expect(f[0]!.summary).toContain("no leader");
  });

  it("reports leader disagreement as a warning of its own (no catalog code: META_002 means two claimants)", () => {
    const edited = clone(replies);
    const follower = edited.find((r) => r !== leaderOf(edited))!;
    follower.data!.meta_cluster!.leader = "somebody-else";
    const f = evaluateMeta(parse(edited), undefined, T);
    expect(ids(f)).toEqual(["meta_leader_disagreement"]);
    expect(f[0]!.code).toBeNull();
    expect(f[0]!.severity).toBe("warning");
    expect(f[0]!.summary).toContain("somebody-else");
  });

  it("does not call a follower that knows no leader (an election in progress) a disagreement", () => {
    const edited = clone(replies);
    const follower = edited.find((r) => r !== leaderOf(edited))!;
    delete follower.data!.meta_cluster!.leader;
    expect(evaluateMeta(parse(edited), undefined, T)).toEqual([]);
  });

  it("reports META_002, critical, when more than one server claims to be the meta leader", () => {
    const edited = clone(replies);
    const follower = edited.find((r) => r !== leaderOf(edited))!;
    follower.data!.meta_cluster!.leader = follower.server.name;
    const f = evaluateMeta(parse(edited), undefined, T);
    const split = f.find((x) => x.code === "META_002")!;
    expect(split.id).toBe("meta_leader_split");
    expect(split.severity).toBe("critical");
    expect(split.summary).toContain(follower.server.name);
    expect(split.summary).toContain(leaderOf(edited).server.name);
    expect(split.values).toMatchObject({ count: 2 });
    // The broader disagreement keeps firing beside it (the weaker condition holds too).
    expect(ids(f)).toEqual(["meta_leader_disagreement", "meta_leader_split"]);
  });

  it("names the servers that did not answer", () => {
    const leader = leaderOf(replies);
    const silent = replies.find((r) => r !== leader)!;
    const f = evaluateMeta(parse(replies.filter((r) => r !== silent)), undefined, T);
    expect(ids(f)).toEqual(["monitor_partial"]);
    expect(f[0]!.severity).toBe("warning");
    expect(f[0]!.summary).toContain(`silent: ${silent.server.name}`);
  });

  it("reports blindness, and only that, when nothing answered", () => {
    const f = evaluateMeta(parse([]), undefined, T);
    expect(ids(f)).toEqual(["monitor_blind"]);
  });
});

describe("meta history checks", () => {
  const base: MetaSnapshot = {
    collectedAt: 0,
    cluster: "c",
    servers: [
      { name: "a", version: "2.10.27", metaLeader: "a" },
      { name: "b", version: "2.10.27", metaLeader: "a" },
      { name: "c", version: "2.10.27", metaLeader: "a" },
    ],
    expectedServers: 3,
    leaderView: {
      leader: "a",
      clusterSize: 3,
      peers: [
        { name: "b", current: true, offline: false, activeMs: 200, lag: 0 },
        { name: "c", current: true, offline: false, activeMs: 200, lag: 0 },
      ],
    },
    problems: [],
    stats: newRequestStats(),
  };
  const at = (t: number, leader: string, term?: number): MetaSnapshot => {
    const s = structuredClone(base);
    s.collectedAt = t;
    s.leaderView!.leader = leader;
    // A leader lists the other members as its peers.
    s.leaderView!.peers = ["a", "b", "c"]
      .filter((n) => n !== leader)
      .map((name) => ({ name, current: true, offline: false, activeMs: 200, lag: 0 }));
    s.servers.forEach((x) => (x.metaLeader = leader));
    if (term !== undefined) s.raft = { term, reportedBy: leader };
    return s;
  };
  const run = (snaps: MetaSnapshot[]) => {
    let prev: MetaObservation | undefined;
    let last: ReturnType<typeof evaluateMeta> = [];
    for (const s of snaps) {
      last = evaluateMeta(s, prev, T);
      prev = observeMeta(s, prev, T);
    }
    return last;
  };

  it("counts leader-name changes inside the window: one is allowed, two flap", () => {
    expect(run([at(0, "a"), at(60_000, "b")])).toEqual([]);
    const f = run([at(0, "a"), at(60_000, "b"), at(120_000, "c")]);
    expect(ids(f)).toEqual(["meta_leader_flapping"]);
    expect(f[0]!.values).toMatchObject({ changes: 2, method: "leader name" });
  });

  it("forgets changes older than the window", () => {
    // The first change happened after the run at 0, the second after the run at 60 s: at 650 s only
    // the second certainly fell inside the 10 m window.
    expect(run([at(0, "a"), at(60_000, "b"), at(650_000, "c")])).toEqual([]);
  });

  it("counts A -> B -> A by Raft term where the name method sees nothing", () => {
    expect(run([at(0, "a"), at(60_000, "a")])).toEqual([]);
    const f = run([at(0, "a", 5), at(60_000, "a", 7)]);
    expect(ids(f)).toEqual(["meta_leader_flapping"]);
    expect(f[0]!.values).toMatchObject({ changes: 2, method: "Raft term" });
  });

  it("does not count a leaderless moment as a change of leader", () => {
    const none = structuredClone(at(60_000, "a"));
    delete none.leaderView;
    none.servers.forEach((x) => delete x.metaLeader);
    expect(ids(run([at(0, "a"), none, at(120_000, "a")]))).toEqual([]);
  });

  it("flags a meta group that shrank since the previous run (META_009)", () => {
    const smaller = at(60_000, "a");
    smaller.leaderView!.clusterSize = 2;
    smaller.leaderView!.peers.pop();
    smaller.servers.pop();
    smaller.expectedServers = 2;
    const f = run([at(0, "a"), smaller]);
    expect(ids(f)).toEqual(["meta_cluster_shrunk"]);
    expect(f[0]!.code).toBe("META_009");
  });

  it("uses floor(N/2)+1 as quorum, right for even N", () => {
    expect([1, 2, 3, 4, 5, 6].map(quorumOf)).toEqual([1, 2, 2, 3, 3, 4]);
    const four = structuredClone(base);
    four.leaderView!.clusterSize = 4;
    four.leaderView!.peers = [
      { name: "b", current: true, offline: false, activeMs: 100, lag: 0 },
      { name: "c", current: false, offline: true, activeMs: 1e6, lag: 0 },
      { name: "d", current: false, offline: true, activeMs: 1e6, lag: 0 },
    ];
    four.servers = four.servers.slice(0, 2);
    four.expectedServers = 4;
    expect(evaluateMeta(four, undefined, T).some((f) => f.code === "META_006")).toBe(true);
  });
});
