// Issue 8: DynamoDB unreachable in the middle of an incident. The run fails loudly (errors in its
// report, so the Lambda throws and its alarm fires), nothing is notified twice or lost, the stored
// alert state is untouched, and the next run after the outage carries on where it was.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConfig } from "../../lib/config/load.ts";
import { DynamoHistoryStore } from "../../lib/history/dynamodb-store.ts";
import { createHistoryTable } from "../../lib/history/dynamodb-table.ts";
import type { NoticeDocument } from "../../lib/notify/document.ts";
import { JsonLinesNotifier } from "../../lib/notify/jsonl.ts";
import { historyKeyFor, type RunReport } from "../../lib/run/run-slice.ts";
import { metaSlice } from "../../lib/slices/meta.ts";
import { runOnce } from "../harness/run.ts";
import { NatsCluster, SYS_USER, waitFor } from "../../lib/testbed/cluster.ts";
import { MotoServer } from "../../lib/testbed/moto.ts";
import { TcpProxy } from "../../lib/testbed/proxy.ts";
import { newestServer } from "../../lib/testbed/servers.ts";

describe("history store outage during an incident", () => {
  let cluster: NatsCluster;
  let moto: MotoServer;
  let proxy: TcpProxy;
  beforeAll(async () => {
    [cluster, moto] = await Promise.all([NatsCluster.start({ binary: newestServer() }), MotoServer.start()]);
    proxy = await TcpProxy.start(moto.port);
  });
  afterAll(async () => {
    await proxy?.stop();
    await moto?.stop();
    await cluster?.stop();
  });

  it("fails loudly while DynamoDB is cut, loses no alert state, and recovers on the next run", async () => {
    const { region, credentials } = moto.env;
    await createHistoryTable(new DynamoDBClient({ endpoint: moto.endpoint, region, credentials }), "lookout-history");
    const dir = mkdtempSync(join(tmpdir(), "lookout-outage-"));
    const noticesFile = join(dir, "notices.jsonl");
    const config = buildConfig(
      {
        cluster: "outage",
        nats: { servers: cluster.urls, user: SYS_USER.user, password: SYS_USER.password },
        thresholds: { meta: { peerSeenCritical: "3s" } },
        timeouts: { request: "1s", connect: "2s" },
      },
      {},
    );
    // Few SDK attempts and short timeouts: the outage must be reported, not waited out.
    const store = new DynamoHistoryStore({
      table: "lookout-history",
      ttlDays: 1,
      clientConfig: {
        endpoint: `http://127.0.0.1:${proxy.port}`,
        region,
        credentials,
        maxAttempts: 2,
        requestHandler: { connectionTimeout: 500, requestTimeout: 1000 },
      },
    });
    const notifier = new JsonLinesNotifier(noticesFile);
    const notices = (): NoticeDocument[] =>
      existsSync(noticesFile)
        ? readFileSync(noticesFile, "utf8")
            .trim()
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l) as NoticeDocument)
        : [];
    const run = async (): Promise<RunReport> => {
      return runOnce(metaSlice, { config, history: store, notifiers: [notifier] });
    };

    const leader = await cluster.waitForMetaLeader();
    const victim = cluster.servers.find((s) => s.name !== leader)!;
    cluster.freeze(victim.index);
    try {
      const first = await waitFor(
        "the alert",
        async () => {
          const r = await run();
          return r.findings.some((f) => f.id === "meta_peer_seen") ? r : undefined;
        },
        40_000,
        1000,
      );
      expect(first.errors).toEqual([]);
      const opened = notices().filter((n) => n.finding.id === "meta_peer_seen" && n.state === "new");
      expect(opened).toHaveLength(1);
      const before = await store.load(historyKeyFor(config, "meta"));

      proxy.cut();
      const during = await run();
      // Loud: the report carries the error (the Lambda handler throws on it) ...
      expect(during.errors.join(" ")).toMatch(/history load failed \(dynamodb\)/);
      // ... yet the monitor is not silent about the cluster: the findings are still there.
      expect(during.findings.some((f) => f.id === "meta_peer_seen")).toBe(true);
      // Without its alert state a run notifies nothing (no re-paging of every firing alert).
      expect(notices().filter((n) => n.finding.id === "meta_peer_seen")).toHaveLength(1);
      proxy.restore();

      const after = await run();
      expect(after.errors).toEqual([]);
      expect(after.history.loadedVersion).toBe(before!.version);
      expect(after.findings.find((f) => f.id === "meta_peer_seen")!.state).toBe("firing");
    } finally {
      proxy.restore();
      cluster.thaw(victim.index);
    }
    await cluster.waitForMetaLeader();
    await waitFor(
      "resolution",
      async () => {
        await run();
        return notices().some((n) => n.finding.id === "meta_peer_seen" && n.state === "resolved") ? true : undefined;
      },
      40_000,
      1000,
    );
    const all = notices().filter((n) => n.finding.id === "meta_peer_seen");
    expect(all.map((n) => n.state)).toEqual(["new", "resolved"]);
    await store.close?.();
  });
});
