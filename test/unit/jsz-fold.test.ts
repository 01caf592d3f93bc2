// The pure part of system-mode collection, on captured JSZ replies of real servers: folding replies
// into a snapshot, holder accounting, and whether a leader-only pass needs a full fan-out. No server.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectedServerCount, JszFold, parseJszReplies } from "../../lib/collect/jsz-fold.ts";
import { fullFanoutFor, unaccountedHolders } from "../../lib/collect/jsz-holders.ts";
import { unsortedFirstPageProblems } from "../../lib/collect/jsz-pages.ts";
import { newRequestStats } from "../../lib/nats/stats.ts";
import type { JszWire, SysEnvelope } from "../../lib/nats/wire.ts";
import type { StreamsSnapshot } from "../../lib/snapshot/streams.ts";

interface Fixture {
  captured: string;
  jsz: SysEnvelope<JszWire>[];
  jszStreamLeaderOnly?: SysEnvelope<JszWire>[];
}

const fixture = (scenario: string, version: string): Fixture =>
  JSON.parse(
    readFileSync(join(import.meta.dirname, "..", "fixtures", `streams-${scenario}-${version}.json`), "utf8"),
  ) as Fixture;

const fold = (f: Fixture, replies: readonly SysEnvelope<JszWire>[]): StreamsSnapshot =>
  parseJszReplies(replies, {
    collectedAt: Date.parse(f.captured),
    connectedDomain: "hub",
    timeoutMs: 1000,
    stats: newRequestStats(),
  });

const key = (v: { domain?: string; account: string; name: string }) => `${v.domain ?? ""}/${v.account}/${v.name}`;

/** Every stream entry of the replies, as the wire has it: who sent it and whom it names as leader. */
const wireEntries = (replies: readonly SysEnvelope<JszWire>[]) =>
  replies.flatMap((r) =>
    (r.data?.account_details ?? []).flatMap((a) =>
      (a.stream_detail ?? []).map((d) => ({
        server: r.server.name,
        domain: r.server.domain,
        account: a.name,
        name: d.name,
        leader: d.cluster?.leader,
      })),
    ),
  );

/** What `stream_leader_only` leaves of full replies: each server's entries for streams it leads (or solitary ones). */
const leaderOnlyOf = (replies: readonly SysEnvelope<JszWire>[]): SysEnvelope<JszWire>[] =>
  replies.map((r) => ({
    ...r,
    data: {
      ...r.data,
      account_details: (r.data?.account_details ?? []).map((a) => ({
        ...a,
        stream_detail: (a.stream_detail ?? []).filter(
          (d) =>
            d.cluster?.leader === r.server.name ||
            (!d.cluster?.replicas?.length && !d.cluster?.leader && !d.cluster?.name),
        ),
      })),
    },
  }));

/** The leader, peers and counts of each stream: what must not depend on how the replies were folded. */
const judged = (s: StreamsSnapshot) =>
  s.streams.map((v) => ({
    key: key(v),
    status: v.status,
    leader: v.leader,
    peers: v.peers.map((p) => p.name).sort(),
    lastSeq: v.lastSeq,
  }));

for (const version of ["2.10.27", "2.15.1"]) {
  describe(`JSZ fold on captured replies of nats-server ${version}`, () => {
    const healthy = fixture("healthy", version);
    const down = fixture("two-down", version);

    it("takes each stream from the entry of the server the entries name as its leader", () => {
      const s = fold(healthy, healthy.jsz);
      const leaders = new Map(
        wireEntries(healthy.jsz)
          .filter((e) => e.leader)
          .map((e) => [key(e), e.leader]),
      );
      for (const v of s.streams) {
        expect(v.reportedBy, key(v)).toBe(leaders.get(key(v)) ?? v.reportedBy);
        expect(v.holders.sort(), key(v)).toEqual(
          wireEntries(healthy.jsz)
            .filter((e) => key(e) === key(v))
            .map((e) => e.server)
            .sort(),
        );
      }
      expect(new Set(s.streams.map(key))).toEqual(new Set(wireEntries(healthy.jsz).map(key)));
    });

    it("the captured leader-only replies fold to the same streams, leaders and peers as the full ones", () => {
      expect(judged(fold(healthy, healthy.jszStreamLeaderOnly!))).toEqual(judged(fold(healthy, healthy.jsz)));
    });

    it("folding is independent of the order replies arrive in, and of a reply arriving twice (overlapping pages)", () => {
      const inOrder = fold(healthy, healthy.jsz);
      const reversed = fold(healthy, [...healthy.jsz].reverse());
      const twice = fold(healthy, [...healthy.jsz, ...healthy.jsz]);
      expect(reversed.streams).toEqual(inOrder.streams);
      expect(twice.streams).toEqual(inOrder.streams);
      expect(twice.silent).toEqual(inOrder.silent);
    });

    it("a silent leader turns exactly the streams it led into gaps naming it, and is named silent", () => {
      // A leader of replicated streams: a stream only its leader holds vanishes with it (history's job).
      const entries = wireEntries(healthy.jsz);
      const replicated = entries.filter((e) => e.leader && e.leader !== e.server);
      const victim = replicated.map((e) => e.leader!).sort()[0]!;
      const s = fold(
        healthy,
        healthy.jsz.filter((r) => r.server.name !== victim),
      );
      const led = new Set(replicated.filter((e) => e.leader === victim).map(key));
      expect(led.size).toBeGreaterThan(0);
      expect(new Set(s.gaps.map(key))).toEqual(led);
      for (const g of s.gaps) expect(g.reason).toBe(`its leader ${victim} did not answer`);
      expect(s.streams.map(key).filter((k) => led.has(k))).toEqual([]);
      expect(s.silent).toEqual([victim]);
    });

    it("counts the servers that should answer: each domain's meta group plus standalone servers", () => {
      const metaSizes = new Map(
        healthy.jsz
          .filter((r) => r.data?.meta_cluster)
          .map((r) => [r.server.domain ?? "", r.data!.meta_cluster!.cluster_size ?? 1]),
      );
      const standalone = healthy.jsz.filter((r) => !r.data?.meta_cluster).length;
      const want = [...metaSizes.values()].reduce((a, b) => a + b, standalone);
      expect(expectedServerCount(healthy.jsz)).toBe(want);
      expect(expectedServerCount(healthy.jsz, want + 2)).toBe(want + 2);
      expect(expectedServerCount(down.jsz)).toBe(expectedServerCount(healthy.jsz) - 1);
    });

    describe("holder accounting: whether a leader-only pass needs a full fan-out", () => {
      it("healthy: the leader-only replies account for every stream each server holds", () => {
        const f = new JszFold();
        for (const r of healthy.jszStreamLeaderOnly!) f.add(r);
        expect(f.unaccountedHolders()).toEqual([]);
        expect(fullFanoutFor({ leaderOnly: true, received: 4, unaccounted: () => f.unaccountedHolders() })).toEqual([]);
      });

      it("two servers down: leaderless streams vanish under leader-only, and the server holding them asks for the full pass", () => {
        const lo = leaderOnlyOf(down.jsz);
        const survivor = down.jsz.map((r) => r.server.name);
        expect(unaccountedHolders(lo)).toEqual(survivor);
        const f = new JszFold();
        for (const r of lo) f.add(r);
        expect(
          fullFanoutFor({ leaderOnly: true, received: lo.length, unaccounted: () => f.unaccountedHolders() }),
        ).toEqual(survivor);
        // What the leader-only pass shows lacks the leaderless streams; the full pass has them, from their holder.
        const partial = fold(down, lo);
        const full = fold(down, down.jsz);
        const leaderless = full.streams.filter((v) => v.status === "leaderless");
        expect(leaderless.length).toBeGreaterThan(0);
        for (const v of leaderless) {
          expect(partial.streams.map(key)).not.toContain(key(v));
          expect(v.holders).toEqual(survivor);
        }
      });

      it("the full replies always account for what their servers hold", () => {
        expect(unaccountedHolders(down.jsz)).toEqual([]);
        expect(unaccountedHolders(healthy.jsz)).toEqual([]);
      });

      it("a server that does not say how many streams it holds cannot be vouched for", () => {
        const first = healthy.jszStreamLeaderOnly![0]!;
        const { streams: _count, ...rest } = first.data!;
        expect(unaccountedHolders([{ ...first, data: rest }])).toEqual([first.server.name]);
      });

      it("never a second pass after a full pass, or after a pass nobody answered", () => {
        const unaccounted = () => ["n1"];
        expect(fullFanoutFor({ leaderOnly: false, received: 3, unaccounted })).toEqual([]);
        expect(fullFanoutFor({ leaderOnly: true, received: 0, unaccounted })).toEqual([]);
        expect(fullFanoutFor({ leaderOnly: true, received: 3, unaccounted })).toEqual(["n1"]);
      });
    });
  });
}

describe("paging: page 0 is unsorted", () => {
  const first = new Map([["n1", ["B", "C", "D"]]]);
  it("a full page 0 with no account before the sorted page's first may have skipped the first account by name", () => {
    const problems = unsortedFirstPageProblems(first, new Map([["n1", "A"]]), 3);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^n1: its first account by name \(before A\) may be unchecked/);
  });
  it("nothing to say when page 0 holds an earlier account, was not full, or no sorted page followed", () => {
    expect(unsortedFirstPageProblems(new Map([["n1", ["A0", "C", "D"]]]), new Map([["n1", "B"]]), 3)).toEqual([]);
    expect(unsortedFirstPageProblems(first, new Map([["n1", "A"]]), 4)).toEqual([]);
    expect(unsortedFirstPageProblems(first, new Map(), 3)).toEqual([]);
  });
});
