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
import { SYS_USER } from "../harness/cluster.ts";
import { newestServer } from "../harness/servers.ts";
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
    const config = buildConfig({ cluster: "hub", nats: { servers: topo.hub.urls, user: SYS_USER.user, password: SYS_USER.password }, timeouts: { request: "3s", connect: "2s" } }, {});
    const history = new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-leafmeta-")));
    const reports: RunReport[] = [];
    for (let i = 0; i < 5; i++) {
      reports.push(await runOnce(metaSlice, { config, history }));
    }
    expect(reports.flatMap((r) => r.findings.map((f) => f.summary))).toEqual([]);
  });
});
