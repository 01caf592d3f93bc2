// Issue 8: a healthy, busy cluster (publishers and consumers running) watched for at least 100 runs
// of every slice at a short schedule yields zero findings. The figures are printed for the README.
import { jetstream, jetstreamManager, AckPolicy } from "@nats-io/jetstream";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConfig } from "../../lib/config/load.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import { SharedConnection } from "../../lib/run/connection.ts";
import { runSlice, type RunReport } from "../../lib/run/run-slice.ts";
import { selectSlices } from "../../lib/cli/check.ts";
import { NatsCluster, SYS_USER } from "../../lib/testbed/cluster.ts";
import { serversUnderTest } from "../../lib/testbed/servers.ts";

const RUNS = 100;

for (const binary of serversUnderTest()) {
  describe(`healthy soak on nats-server ${binary.version}`, () => {
    let cluster: NatsCluster;
    beforeAll(async () => {
      cluster = await NatsCluster.start({ binary });
    });
    afterAll(async () => {
      await cluster?.stop();
    });

    it(`yields zero findings over ${RUNS} runs of every slice while traffic flows`, async () => {
      const app = await cluster.appConnection();
      const jsm = await jetstreamManager(app);
      for (const name of ["ORDERS", "EVENTS", "AUDIT"])
        await jsm.streams.add({ name, subjects: [`${name.toLowerCase()}.>`], num_replicas: 3 });
      await jsm.streams.add({ name: "ORDERS_MIRROR", mirror: { name: "ORDERS" }, num_replicas: 3 });
      await jsm.streams.add({ name: "R1", subjects: ["r1.>"], num_replicas: 1 });
      await jsm.consumers.add("ORDERS", { durable_name: "worker", ack_policy: AckPolicy.Explicit });
      const js = jetstream(app);

      let stop = false;
      let published = 0;
      let consumed = 0;
      const publisher = (async () => {
        while (!stop) {
          await Promise.all(
            ["orders.new", "events.x", "audit.y", "r1.z"].map((s) => js.publish(s, "payload").then(() => published++)),
          );
        }
      })();
      const consumer = (async () => {
        const c = await js.consumers.get("ORDERS", "worker");
        while (!stop) {
          const batch = await c.fetch({ max_messages: 50, expires: 1000 });
          for await (const m of batch) {
            m.ack();
            consumed++;
          }
        }
      })();

      const config = buildConfig(
        {
          nats: { servers: cluster.urls, user: SYS_USER.user, password: SYS_USER.password },
          thresholds: { streams: { defaults: { "seen-critical": "30s", "peer-seen-critical": "30s" } } },
          timeouts: { request: "2s", connect: "2s" },
        },
        {},
      );
      const history = new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-soak-")));
      const conn = new SharedConnection(config.nats, config.timeouts.connectMs);
      const slices = selectSlices(config, "all").slices;
      const reports: RunReport[] = [];
      try {
        for (let i = 0; i < RUNS; i++) {
          for (const s of slices)
            reports.push(
              await runSlice(s, {
                config,
                history,
                notifiers: [],
                connection: conn.get,
                failover: conn.failover,
                describeError: conn.describe,
              }),
            );
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        stop = true;
        await Promise.allSettled([publisher, consumer]);
        await conn.close();
        await app.close();
      }
      const findings = reports.flatMap((r) => r.findings.map((f) => `${r.slice}: ${f.id} ${f.summary}`));
      const errors = reports.flatMap((r) => r.errors);
      console.log(
        `soak ${binary.version}: ${RUNS} runs x ${slices.length} slice(s) (${slices.map((s) => s.name).join(", ")}), ${reports.length} slice runs, ${findings.length} findings, ${published} messages published, ${consumed} consumed`,
      );
      expect(published).toBeGreaterThan(100);
      expect(consumed).toBeGreaterThan(0);
      expect(reports.length).toBe(RUNS * slices.length);
      expect(errors).toEqual([]);
      expect(findings).toEqual([]);
    });
  });
}
