// META_003 meta leader flapping from real forced elections across several runs, and META_009 from a
// real peer-remove, on each server line under test, through the real pipeline with file history.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leaderChangeSince, type MetaObservation } from "../../lib/checks/meta.ts";
import { buildConfig } from "../../lib/config/load.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import { versionAtLeast } from "../../lib/nats/version.ts";
import { JsonLinesNotifier } from "../../lib/notify/jsonl.ts";
import { SharedConnection } from "../../lib/run/connection.ts";
import { historyKeyFor, runSlice, type RunReport } from "../../lib/run/run-slice.ts";
import { metaSlice } from "../../lib/slices/meta.ts";
import type { MetaSnapshot } from "../../lib/snapshot/meta.ts";
import { NatsCluster, SYS_USER, waitFor } from "../../lib/testbed/cluster.ts";
import { serversUnderTest } from "../../lib/testbed/servers.ts";
import { received } from "../lifecycle/scripted-slice.ts";

for (const binary of serversUnderTest()) {
  // RAFTZ (and so the Raft-term method) arrived in 2.10.17; older servers are counted by name.
  const byTerm = versionAtLeast(binary.version, "2.10.17");

  describe(`meta leader flapping on nats-server ${binary.version}`, () => {
    let cluster: NatsCluster;
    const root = mkdtempSync(join(tmpdir(), "lookout-flap-"));
    let histories = 0;
    beforeAll(async () => {
      cluster = await NatsCluster.start({ binary });
    });
    afterAll(async () => {
      await cluster?.stop();
      rmSync(root, { recursive: true, force: true });
    });

    /** A monitor with its own history and notice file, running the meta slice like `lookout watch`. */
    function monitor() {
      const n = ++histories;
      const dir = join(root, `history-${n}`);
      const file = join(root, `notices-${n}.jsonl`);
      const config = buildConfig(
        {
          cluster: `flap-${n}`,
          nats: { servers: cluster.urls, user: SYS_USER.user, password: SYS_USER.password },
          thresholds: { meta: { flapMaxChanges: 1, flapWindow: "10m" } },
          timeouts: { request: "2s", connect: "2s" },
        },
        {},
      );
      const history = new FileHistoryStore(dir);
      return {
        file,
        async run(): Promise<RunReport> {
          const conn = new SharedConnection(config.nats, config.timeouts.connectMs);
          try {
            return await runSlice(metaSlice, {
              config,
              history,
              notifiers: [new JsonLinesNotifier(file)],
              connection: conn.get,
              describeError: conn.describe,
            });
          } finally {
            await conn.close();
          }
        },
        async observation(): Promise<MetaObservation> {
          return (await history.load<MetaObservation>(historyKeyFor(config, "meta")))!.doc.observations!;
        },
      };
    }
    const flap = (r: RunReport) => r.findings.find((f) => f.code === "META_003");
    const method = byTerm ? "Raft term" : "leader name";

    it("fires once, with the count and the method, after real forced elections across several runs", async () => {
      const m = monitor();
      expect(flap(await m.run())).toBeUndefined();
      await cluster.stepdownMeta();
      const one = await m.run();
      expect(flap(one)).toBeUndefined(); // one change is allowed
      await cluster.stepdownMeta();
      const two = await m.run();
      const f = flap(two);
      expect(f, JSON.stringify(two.findings)).toBeDefined();
      expect(f!.severity).toBe("warning");
      expect(f!.values).toMatchObject({ changes: 2, max_changes: 1, method });
      expect(f!.summary).toContain(`changed 2 time(s) in the last 10m (allowed 1; counted by ${method})`);
      expect(f!.state).toBe("new");
      await cluster.stepdownMeta();
      const three = await m.run();
      expect(flap(three)?.values.changes).toBe(3);
      expect(flap(three)?.state).toBe("firing");
      const calm = await m.run();
      expect(flap(calm)?.values.changes).toBe(3); // still inside the window
      expect(
        received(m.file)
          .filter((d) => d.finding.code === "META_003")
          .map((d) => d.state),
      ).toEqual(["new"]);
    });

    it(
      byTerm
        ? "counts A -> B -> A between two runs by Raft term, which the leader-name method misses"
        : "misses A -> B -> A between two runs (no RAFTZ on this server: leader names only)",
      async () => {
        const m = monitor();
        const a = await cluster.waitForMetaLeader();
        expect(flap(await m.run())).toBeUndefined();
        const before = await m.observation();
        expect(before.leader).toBe(a);
        let elections = 0;
        let leader: string;
        do {
          leader = await cluster.stepdownMeta();
          elections++;
        } while (leader !== a && elections < 12);
        expect(leader).toBe(a);
        expect(elections).toBeGreaterThanOrEqual(2);

        const r = await m.run();
        const after = await m.observation();
        expect(after.leader).toBe(a);
        // The leader-name method, given the same two runs without terms, sees no change at all.
        const sameLeader = {
          collectedAt: after.at,
          cluster: undefined,
          servers: [],
          expectedServers: 3,
          leaderView: { leader: a, clusterSize: 3, peers: [] },
          problems: [],
          stats: r.requests,
        } as MetaSnapshot;
        expect(leaderChangeSince({ ...before, term: undefined }, sameLeader)).toBeUndefined();
        if (byTerm) {
          expect(after.term! - before.term!).toBe(elections);
          const f = flap(r);
          expect(f?.values).toMatchObject({ changes: elections, method: "Raft term" });
          expect(f?.summary).toContain("counted by Raft term");
          expect(after.changes.at(-1)).toMatchObject({ method: "raft-term", count: elections, from: a, to: a });
        } else {
          expect(flap(r)).toBeUndefined();
          expect(after.term).toBeUndefined();
        }
      },
    );

    it("reports META_009 once when a peer is removed from the meta group, and nothing else", async () => {
      const m = monitor();
      expect((await m.run()).findings).toEqual([]);
      const leader = await cluster.waitForMetaLeader();
      const victim = cluster.servers.find((s) => s.name !== leader)!;
      await cluster.stopServer(victim.index);
      const nc = await cluster.sysConnection();
      try {
        await waitFor(
          `${victim.name} removed from the meta group`,
          async () => {
            const reply = await nc
              .request("$JS.API.SERVER.REMOVE", JSON.stringify({ peer: victim.name }), { timeout: 3000 })
              .catch(() => undefined);
            const ok = reply ? (JSON.parse(reply.string()) as { success?: boolean }).success : false;
            if (!ok) return undefined;
            const live = cluster.servers.find((s) => s.name === leader)!;
            return (await cluster.jsz(live.index)).meta_cluster?.cluster_size === 2 ? true : undefined;
          },
          30_000,
          500,
        );
      } finally {
        await nc.close();
      }
      const r = await m.run();
      const shrunk = r.findings.find((f) => f.code === "META_009");
      expect(shrunk?.severity).toBe("critical");
      expect(shrunk?.values).toMatchObject({ previous: 3, size: 2 });
      expect(r.findings.map((f) => `${f.id}: ${f.summary}`)).toEqual([
        expect.stringMatching(/^meta_cluster_shrunk: meta group shrank from 3 to 2/),
      ]); // the removed server is not "silent"
      const next = await m.run();
      expect(next.findings).toEqual([]);
    });
  });
}
