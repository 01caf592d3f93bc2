// The streams fan-out asks for `stream_leader_only` (a third of the bytes), and falls back to a
// full fan-out when a server holds streams no leader reported: a leaderless stream must still be
// reported. Real 5-node clusters, so the meta group keeps quorum while a stream loses its own.
import { jetstreamManager } from "@nats-io/jetstream";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConfig } from "../../lib/config/load.ts";
import { collectStreams } from "../../lib/collect/streams.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import { newRequestStats } from "../../lib/nats/stats.ts";
import type { RunReport } from "../../lib/run/run-slice.ts";
import { streamsSlice } from "../../lib/slices/streams.ts";
import { runOnce } from "../harness/run.ts";
import { NatsCluster, SYS_USER, waitFor } from "../../lib/testbed/cluster.ts";
import { serversUnderTest } from "../../lib/testbed/servers.ts";

for (const binary of serversUnderTest()) {
  describe(`stream_leader_only with a full fallback, nats-server ${binary.version}`, () => {
    let cluster: NatsCluster;
    beforeAll(async () => {
      cluster = await NatsCluster.start({ binary, size: 5 });
    });
    afterAll(async () => {
      await cluster?.stop();
    });

    it("asks once, leader-only, on a healthy cluster; twice, and reports the leaderless stream, when one loses its quorum", async () => {
      const app = await cluster.appConnection();
      const jsm = await jetstreamManager(app);
      for (let i = 0; i < 6; i++) await jsm.streams.add({ name: `S${i}`, subjects: [`s.${i}`], num_replicas: 3 });
      const info = await jsm.streams.info("S0");
      const members = [info.cluster!.leader!, ...info.cluster!.replicas!.map((r) => r.name)];
      await app.close();

      const config = buildConfig(
        {
          nats: { servers: cluster.urls, user: SYS_USER.user, password: SYS_USER.password },
          timeouts: { request: "3s", connect: "2s" },
        },
        {},
      );
      const history = new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-slo-")));
      const run = async (): Promise<RunReport> => {
        return runOnce(streamsSlice, { config, history });
      };

      const healthy = await run();
      expect(healthy.findings).toEqual([]);
      expect(healthy.requests.requests).toBe(1);
      // Leader-only replies carry each stream once, not once per replica.
      const nc = await cluster.sysConnection();
      try {
        const lo = newRequestStats();
        const full = newRequestStats();
        const a = await collectStreams(nc, "system", {
          timeoutMs: 1500,
          stats: lo,
          knownServers: cluster.servers.map((s) => s.name),
        });
        const b = await collectStreams(nc, "system", {
          timeoutMs: 1500,
          stats: full,
          knownServers: cluster.servers.map((s) => s.name),
          streamLeaderOnly: false,
        });
        expect(a.streamLeaderOnly).toBe(true);
        expect(a.streams.map((s) => s.name)).toEqual(b.streams.map((s) => s.name));
        expect(lo.bytesDecoded).toBeLessThan(full.bytesDecoded * 0.7);
      } finally {
        await nc.close();
      }

      // S0 loses 2 of its 3 peers; the 5-node meta group keeps quorum, the survivor holds S0 unled.
      await cluster.kill(members[0]!);
      await cluster.kill(members[1]!);
      const r = await waitFor(
        "S0 reported as quorum lost",
        async () => {
          const x = await run();
          return x.findings.some((f) => f.id === "stream_quorum_lost" && f.subject.stream === "S0") ? x : undefined;
        },
        60_000,
        2000,
      );
      expect(r.requests.requests).toBe(2);
      const lost = r.findings.find((f) => f.id === "stream_quorum_lost" && f.subject.stream === "S0")!;
      expect(lost.code).toBe("JETSTREAM_008");
      expect(lost.summary).toContain(members[2]!);
    });
  });
}
