// The meta slice next to a single-server JetStream domain joined over the system account's leafnode:
// that server answers the JSZ fan-out without a meta section. It is not a member of the hub's meta
// group: no warning about it, and its reply never stands in for a member's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildConfig } from "../../lib/config/load.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import type { RunReport } from "../../lib/run/run-slice.ts";
import { runOnce } from "../harness/run.ts";
import { metaSlice } from "../../lib/slices/meta.ts";
import { NatsCluster, SYS_USER, waitFor } from "../../lib/testbed/cluster.ts";
import { newestServer, serversUnderTest } from "../../lib/testbed/servers.ts";
import { startHubAndEdge, type HubAndEdge } from "../streams/topology.ts";

describe("meta slice with a leaf JetStream domain on the system account", () => {
  let topo: HubAndEdge;
  beforeAll(async () => {
    topo = await startHubAndEdge(newestServer());
  });
  afterAll(async () => {
    await topo?.stop();
  });

  it("reports nothing on a healthy hub, over several runs with history", async () => {
    const config = buildConfig(
      {
        cluster: "hub",
        nats: { servers: topo.hub.urls, user: SYS_USER.user, password: SYS_USER.password },
        timeouts: { request: "3s", connect: "2s" },
      },
      {},
    );
    const history = new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-leafmeta-")));
    const reports: RunReport[] = [];
    for (let i = 0; i < 5; i++) {
      reports.push(await runOnce(metaSlice, { config, history }));
    }
    expect(reports.flatMap((r) => r.findings.map((f) => f.summary))).toEqual([]);
  });
});

// Issue 12, "one alert, two identities", in the meta slice: a hub WITHOUT a JetStream domain beside a
// leaf CLUSTER with one (its own meta group), joined over the system account. The leaf's servers
// answer the JSZ and RAFTZ fan-outs too; they used to be taken for members, so a healthy hub showed
// two meta leaders (META_002, critical), a leader disagreement and silent servers, depending on
// which replies came first. Only the connected server's domain is the monitored meta group.
for (const binary of serversUnderTest()) {
  describe(`meta slice, a hub without a domain beside a leaf cluster with one, nats-server ${binary.version}`, () => {
    let hub: NatsCluster;
    let leaf: NatsCluster;
    beforeAll(async () => {
      hub = await NatsCluster.start({ binary, leafnodeListen: true });
      leaf = await NatsCluster.start({
        binary,
        domain: "edge",
        clusterName: `leaf${hub.name}`,
        leafRemotes: [
          {
            url: `nats-leaf://${SYS_USER.user}:${SYS_USER.password}@127.0.0.1:${hub.servers[1]!.leafPort}`,
            account: "SYS",
          },
        ],
      });
      // The test bed is ready once all six servers answer the fan-out and the hub's group is whole
      // again (the hub server taking the leaf cluster's leafnodes was seen slow to answer at first).
      const sys = await hub.sysConnection();
      try {
        await waitFor(
          "every hub and leaf server to answer JSZ",
          async () => {
            const it = await sys.requestMany("$SYS.REQ.SERVER.PING.JSZ", "{}", { strategy: "timer", maxWait: 1000 });
            const names = new Set<string>();
            for await (const m of it) names.add(m.json<{ server: { name: string } }>().server.name);
            return names.size >= 6 ? true : undefined;
          },
          60_000,
          500,
        );
      } finally {
        await sys.close();
      }
      await hub.waitForMetaLeader(60_000);
    });
    afterAll(async () => {
      await leaf?.stop();
      await hub?.stop();
    });

    it("reports nothing on a healthy hub and names the hub's meta group, over several runs with history", async () => {
      // Without a label: identity comes from the meta group's own name.
      const config = buildConfig(
        {
          nats: { servers: hub.urls, user: SYS_USER.user, password: SYS_USER.password },
          timeouts: { request: "3s", connect: "2s" },
        },
        {},
      );
      const history = new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-leafcluster-")));
      const reports: RunReport[] = [];
      for (let i = 0; i < 4; i++) reports.push(await runOnce(metaSlice, { config, history }));
      expect(reports.flatMap((r) => r.findings.map((f) => `${f.id}: ${f.summary}`))).toEqual([]);
      expect(new Set(reports.map((r) => r.cluster))).toEqual(new Set([hub.name]));
    });
  });
}
