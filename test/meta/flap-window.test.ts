// META_003's window on real servers: elections forced between two runs further apart than the flap
// window (the monitor was down, a sparse cron, history from long ago) cannot be placed inside it and
// are reported as information, never as "N changes in the last 10m". The gap is made with the run's
// clock (RunDeps.now), the elections are real ($JS.API.META.LEADER.STEPDOWN).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConfig } from "../../lib/config/load.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import { SharedConnection } from "../../lib/run/connection.ts";
import { runSlice, type RunReport } from "../../lib/run/run-slice.ts";
import { metaSlice } from "../../lib/slices/meta.ts";
import { NatsCluster, SYS_USER } from "../../lib/testbed/cluster.ts";
import { serversUnderTest } from "../../lib/testbed/servers.ts";

const MIN = 60_000;

for (const binary of serversUnderTest()) {
  describe(`META_003 window on nats-server ${binary.version}`, () => {
    let cluster: NatsCluster;
    beforeAll(async () => {
      cluster = await NatsCluster.start({ binary });
    });
    afterAll(async () => {
      await cluster?.stop();
    });

    it("elections between runs 11 minutes apart are information, not a flap; the next ones inside the window count", async () => {
      const config = buildConfig(
        {
          cluster: "flap-window",
          nats: { servers: cluster.urls, user: SYS_USER.user, password: SYS_USER.password },
          thresholds: { meta: { flapMaxChanges: 1, flapWindow: "10m" } },
          timeouts: { request: "2s", connect: "2s" },
        },
        {},
      );
      const history = new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-flap-window-")));
      let skew = 0; // the monitor's clock runs ahead of the servers' by this much
      const run = async (): Promise<RunReport> => {
        const conn = new SharedConnection(config.nats, config.timeouts.connectMs);
        try {
          return await runSlice(metaSlice, {
            config,
            history,
            notifiers: [],
            connection: conn.get,
            describeError: conn.describe,
            now: () => Date.now() + skew,
          });
        } finally {
          await conn.close();
        }
      };
      const ids = (r: RunReport) => r.findings.map((f) => f.id);

      expect(ids(await run())).toEqual([]);
      const a = await cluster.waitForMetaLeader();
      const b = await cluster.stepdownMeta();
      const c = await cluster.stepdownMeta();
      expect(new Set([a, b, c]).size).toBeGreaterThan(1);

      // The next run comes 11 minutes later: two elections, but not placeable inside the 10m window.
      skew = 11 * MIN;
      const late = await run();
      expect(ids(late)).toEqual(["meta_leader_changes_unplaced"]);
      const info = late.findings[0]!;
      expect(info.severity).toBe("info");
      expect(info.values.changes).toBeGreaterThanOrEqual(2);
      expect(Number(info.values.gap_ms)).toBeGreaterThan(10 * MIN);
      expect(late.status).toBe("ok");

      // Two more elections, now between runs a minute apart: inside the window, counted, named.
      const d = await cluster.stepdownMeta();
      skew = 12 * MIN;
      expect(ids(await run())).toEqual([]); // one change: allowed
      const e = await cluster.stepdownMeta();
      skew = 13 * MIN;
      const flap = (await run()).findings.find((f) => f.code === "META_003");
      expect(flap?.values.changes).toBeGreaterThanOrEqual(2);
      for (const name of [d, e]) expect(String(flap?.values.leaders).split(",")).toContain(name);
    }, 180_000);
  });
}
