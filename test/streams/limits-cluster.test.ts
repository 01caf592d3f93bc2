// JETSTREAM_003 / JETSTREAM_010 on real servers: a stream with max_msgs 100 holding 95 messages and
// one near its max_bytes warn, in system mode (the JSZ fan-out with `config`) and in account mode
// (STREAM.LIST); the same content without limits says nothing.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConfig } from "../../lib/config/load.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import { SharedConnection } from "../../lib/run/connection.ts";
import { runSlice, type RunReport } from "../../lib/run/run-slice.ts";
import { streamsSlice } from "../../lib/slices/streams.ts";
import { NatsCluster, SYS_USER } from "../../lib/testbed/cluster.ts";
import { serversUnderTest } from "../../lib/testbed/servers.ts";
import { addStream, publishTo } from "./topology.ts";

for (const binary of serversUnderTest()) {
  describe(`streams near their limits on nats-server ${binary.version}`, () => {
    let cluster: NatsCluster;
    let app: NatsConnection;

    beforeAll(async () => {
      cluster = await NatsCluster.start({ binary });
      app = await cluster.appConnection("APP");
      // A fresh cluster on a loaded machine may take a while before it can place an R3 stream.
      await addStream(app, { name: "LIMITED", subjects: ["limited.>"], num_replicas: 3, max_msgs: 100 }, 90_000);
      await addStream(app, { name: "ROOMY", subjects: ["roomy.>"], num_replicas: 1, max_msgs: 1000 });
      await addStream(app, { name: "OPEN", subjects: ["open.>"], num_replicas: 1 });
      await addStream(app, { name: "HEAVY", subjects: ["heavy.>"], num_replicas: 1, max_bytes: 8192 });
      for (let i = 0; i < 95; i++) {
        await publishTo(app, `limited.${i}`);
        await publishTo(app, `roomy.${i}`);
        await publishTo(app, `open.${i}`);
      }
      // Fill HEAVY to at least 92% of its bytes (the server counts subject and overhead too).
      const js = jetstream(app);
      const jsm = await jetstreamManager(app);
      await publishTo(app, "heavy.0", "y".repeat(200));
      while ((await jsm.streams.info("HEAVY")).state.bytes < 0.92 * 8192) await js.publish("heavy.1", "y".repeat(200));
    }, 120_000);
    afterAll(async () => {
      await app?.close().catch(() => undefined);
      await cluster?.stop();
    });

    async function run(doc: Record<string, unknown>): Promise<RunReport> {
      const config = buildConfig({ cluster: "c", timeouts: { request: "1500ms", connect: "2s" }, ...doc }, {});
      const history = new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-limits-h-")));
      const conn = new SharedConnection(config.nats, config.timeouts.connectMs);
      try {
        return await runSlice(streamsSlice, {
          config,
          history,
          notifiers: [],
          connection: conn.get,
          describeError: conn.describe,
        });
      } finally {
        await conn.close();
      }
    }
    const summary = (r: RunReport) =>
      r.findings.map((f) => `${f.id} ${f.code} ${f.severity} ${f.subject.stream}`).sort();
    const want = [
      "stream_bytes_near_limit JETSTREAM_010 warning HEAVY",
      "stream_messages_near_limit JETSTREAM_003 warning LIMITED",
    ];

    it("system mode: the JSZ fan-out's config carries the limits", async () => {
      const r = await run({
        nats: { servers: cluster.runningUrls(), user: SYS_USER.user, password: SYS_USER.password },
      });
      expect(summary(r)).toEqual(want);
      const limited = r.findings.find((f) => f.subject.stream === "LIMITED")!;
      expect(limited.values).toMatchObject({ messages: 95, max_msgs: 100 });
      expect(limited.summary).toBe("APP > LIMITED holds 95 of at most 100 messages (95%; warning at 90%)");
      expect(r.status).toBe("warning");
    });

    it("account mode: STREAM.LIST carries them too", async () => {
      const r = await run({
        mode: "account",
        nats: { servers: cluster.runningUrls(), user: "app", password: "app-secret" },
      });
      expect(summary(r)).toEqual(want);
    });
  });
}
