// The meta slice against real 3-node clusters of each server line under test.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runOnce } from "../harness/run.ts";
import { SharedConnection } from "../../lib/run/connection.ts";
import { NatsCluster, SYS_USER, waitFor } from "../../lib/testbed/cluster.ts";
import { serversUnderTest } from "../../lib/testbed/servers.ts";
import { buildConfig } from "../../lib/config/load.ts";
import { runSlice, type RunReport } from "../../lib/run/run-slice.ts";
import { metaSlice } from "../../lib/slices/meta.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

for (const binary of serversUnderTest()) {
  describe(`meta slice on nats-server ${binary.version}`, () => {
    let cluster: NatsCluster;
    beforeAll(async () => {
      cluster = await NatsCluster.start({ binary });
    });
    afterAll(async () => {
      await cluster?.stop();
    });

    /** One meta run with a fresh history folder (no lifecycle carry-over) unless one is given. */
    async function metaRun(
      history = new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-h-"))),
      extra: object = {},
    ): Promise<RunReport> {
      const config = buildConfig(
        {
          nats: { servers: cluster.runningUrls(), user: SYS_USER.user, password: SYS_USER.password },
          thresholds: { meta: { peerSeenCritical: "4s" } },
          timeouts: { request: "3s", connect: "2s" },
          ...extra,
        },
        {},
      );
      return runOnce(metaSlice, { config, history });
    }
    const ids = (r: RunReport) => r.findings.map((f) => f.id).sort();

    it("reports nothing on a healthy cluster, in at most two requests", async () => {
      const r = await metaRun();
      expect(r.findings).toEqual([]);
      expect(r.status).toBe("ok");
      expect(r.requests.requests).toBeGreaterThanOrEqual(1);
      expect(r.requests.requests).toBeLessThanOrEqual(2);
    });

    it("flags a frozen follower as meta peer seen once past its threshold, and clears after thaw", async () => {
      const leader = await cluster.waitForMetaLeader();
      const follower = cluster.servers.find((s) => s.name !== leader)!;
      cluster.freeze(follower.index);
      try {
        const r = await waitFor(
          "meta_peer_seen for the frozen follower",
          async () => {
            const x = await metaRun();
            return x.findings.some((f) => f.id === "meta_peer_seen" && f.subject.peer === follower.name)
              ? x
              : undefined;
          },
          40_000,
          1000,
        );
        const f = r.findings.find((x) => x.id === "meta_peer_seen")!;
        expect(f.severity).toBe("critical");
        expect(Number(f.values.active_ms)).toBeGreaterThan(4000);
        expect(f.summary).toContain(follower.name);
        // The frozen server cannot answer the fan-out: named as silent.
        const partial = r.findings.find((x) => x.id === "monitor_partial");
        expect(partial?.summary).toContain(follower.name);
        expect(r.findings.some((x) => x.id === "meta_offline_replica")).toBe(false);
      } finally {
        cluster.thaw(follower.index);
      }
      await cluster.waitForMetaLeader();
      await waitFor(
        "a clean meta run after thaw",
        async () => ((await metaRun()).findings.length === 0 ? true : undefined),
        40_000,
        1000,
      );
    });

    it("flags a gracefully stopped server as META_001 with the failures the group survives", async () => {
      const leader = await cluster.waitForMetaLeader();
      const victim = cluster.servers.find((s) => s.name !== leader)!;
      await cluster.stopServer(victim.index);
      try {
        const r = await waitFor(
          "META_001",
          async () => {
            const x = await metaRun();
            return x.findings.some((f) => f.code === "META_001") ? x : undefined;
          },
          30_000,
          1000,
        );
        const f = r.findings.find((x) => x.code === "META_001")!;
        expect(f.subject.peer).toBe(victim.name);
        expect(f.values.survives).toBe(0);
        expect(f.summary).toContain("survives 0 more failure");
      } finally {
        await cluster.restart(victim.index);
      }
      await cluster.waitForMetaLeader();
    });

    it("reports quorum lost (or, honestly, blindness) when 2 of 3 servers are killed", async () => {
      const [a, b] = [cluster.servers[1]!, cluster.servers[2]!];
      await cluster.kill(a.index);
      await cluster.kill(b.index);
      try {
        const r = await waitFor(
          "quorum lost",
          async () => {
            const x = await metaRun();
            return x.findings.some((f) => f.id === "meta_quorum_lost" || f.id === "monitor_blind") ? x : undefined;
          },
          40_000,
          1000,
        );
        expect(r.findings.length).toBeGreaterThan(0);
        const lost = r.findings.find((f) => f.id === "meta_quorum_lost");
        if (lost) expect(lost.code).toBe("META_006");
        else expect(r.findings.find((f) => f.id === "monitor_blind")?.summary).toMatch(/blind/);
        expect(["critical", "unknown"]).toContain(r.status);
      } finally {
        await cluster.restart(a.index);
        await cluster.restart(b.index);
      }
      await cluster.waitForMetaLeader(60_000);
    });

    it("reports a blind monitor, not a crash, for an unreachable URL and for wrong credentials", async () => {
      const unreachable = await runSlice(metaSlice, {
        config: buildConfig({ nats: { servers: ["nats://127.0.0.1:1"] } }, {}),
        history: new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-h-"))),
        notifiers: [],
        connection: new SharedConnection({ servers: ["nats://127.0.0.1:1"] }, 1000).get,
      });
      expect(unreachable.findings.map((f) => f.id)).toEqual(["monitor_blind"]);
      expect(unreachable.status).toBe("unknown");

      const cfg = { servers: cluster.runningUrls(), user: SYS_USER.user, password: "wrong-password-xyz" };
      const conn = new SharedConnection(cfg, 2000);
      const bad = await runSlice(metaSlice, {
        config: buildConfig({ nats: cfg }, {}),
        history: new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-h-"))),
        notifiers: [],
        connection: conn.get,
        describeError: conn.describe,
      });
      expect(ids(bad)).toEqual(["monitor_blind"]);
      expect(bad.findings[0]!.summary).toMatch(/authentication|authorization/i);
      expect(JSON.stringify(bad)).not.toContain("wrong-password-xyz");
    });
  });
}
