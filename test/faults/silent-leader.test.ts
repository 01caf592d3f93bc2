// Issue 8: servers that do not answer the JSZ fan-out are named in a warning, and the streams only
// they could judge (their leader went silent) are listed as not judged: their alerts neither
// resolve nor are reported healthy until a run sees them again.
import { jetstreamManager } from "@nats-io/jetstream";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConfig } from "../../lib/config/load.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import type { RunReport } from "../../lib/run/run-slice.ts";
import { streamsSlice } from "../../lib/slices/streams.ts";
import { runOnce } from "../harness/run.ts";
import { NatsCluster, SYS_USER } from "../../lib/testbed/cluster.ts";
import { serversUnderTest } from "../../lib/testbed/servers.ts";

for (const binary of serversUnderTest()) {
  describe(`a stream leader silent to the monitor, nats-server ${binary.version}`, () => {
    let cluster: NatsCluster;
    beforeAll(async () => {
      cluster = await NatsCluster.start({ binary });
    });
    afterAll(async () => {
      await cluster?.stop();
    });

    it("warns naming the silent server, lists its streams as not judged, and resolves none of their alerts", async () => {
      const app = await cluster.appConnection();
      const jsm = await jetstreamManager(app);
      // A standing alert on the stream: R3 where 5 peers are expected (config override: works on any version).
      await jsm.streams.add({ name: "WATCHED", subjects: ["watched.>"], num_replicas: 3 });
      const leader = (await jsm.streams.info("WATCHED")).cluster!.leader!;
      await app.close();

      const config = buildConfig(
        {
          nats: { servers: cluster.urls, user: SYS_USER.user, password: SYS_USER.password },
          thresholds: { streams: { overrides: [{ stream: "WATCHED", values: { "peer-expect": "5" } }] } },
          // One clear run would resolve an alert: so a run that wrongly took silence for health would show it.
          alerts: { resolveAfterRuns: 1 },
          timeouts: { request: "1s", connect: "2s" },
        },
        {},
      );
      const history = new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-silent-")));
      const run = async (): Promise<RunReport> => {
        return runOnce(streamsSlice, { config, history });
      };

      const before = await run();
      expect(before.findings.map((f) => f.id)).toEqual(["stream_peer_expect"]);

      const victim = cluster.index(leader);
      cluster.freeze(victim.index);
      let during: RunReport;
      try {
        // Right away: the others still name the frozen server as the stream's leader (an election
        // takes 4-9 s), so no answering server can judge WATCHED.
        during = await run();
      } finally {
        cluster.thaw(victim.index);
      }
      const partial = during.findings.find((f) => f.id === "monitor_partial");
      expect(partial?.severity).toBe("warning");
      expect(partial?.summary).toContain(victim.name);
      expect(partial?.summary).toMatch(/WATCHED/);
      expect(during.resolved.map((a) => a.finding.id)).toEqual([]);
      expect(during.findings.some((f) => f.id === "stream_peer_expect")).toBe(false);

      await cluster.waitForMetaLeader();
      const after = await run();
      const again = after.findings.find((f) => f.id === "stream_peer_expect");
      expect(again?.state).toBe("firing"); // the same alert, never closed meanwhile
    });
  });
}
