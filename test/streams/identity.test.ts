// Issue 12, "one alert, two identities": a hub WITHOUT a JetStream domain beside a leaf server WITH
// one. The home domain used to be the most common non-empty server domain, so the single leaf
// server outvoted the hub while it answered: findings for hub streams then named the hub's cluster
// name, and the configured label when the leaf did not answer. The fingerprint flipped, the pager
// got a second `new` page for the same fault, and one alert never resolved. A finding's cluster now
// comes from what is stable: the configured label, else the meta group's own name.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConfig } from "../../lib/config/load.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import type { RunReport } from "../../lib/run/run-slice.ts";
import { streamsSlice } from "../../lib/slices/streams.ts";
import { SYS_USER, waitFor } from "../../lib/testbed/cluster.ts";
import { runOnce } from "../harness/run.ts";
import { serversUnderTest } from "../../lib/testbed/servers.ts";
import { addStream, publishTo, startHubAndEdge, type HubAndEdge } from "./topology.ts";

const newHistory = () => new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-identity-")));

for (const binary of serversUnderTest()) {
  describe(`finding identity with a hub without a domain beside a leaf with one, nats-server ${binary.version}`, () => {
    let t: HubAndEdge;
    beforeAll(async () => {
      t = await startHubAndEdge(binary, { hubDomain: null });
      const app = await t.hub.appConnection("APP");
      const edgeApp = await t.edge.appConnection("APP");
      try {
        await addStream(app, { name: "IDN", subjects: ["idn.>"], num_replicas: 3 });
        await publishTo(app, "idn.1");
        await addStream(edgeApp, { name: "LEAFONLY", subjects: ["leaf.>"], num_replicas: 1 });
        await publishTo(edgeApp, "leaf.1");
      } finally {
        await app.close();
        await edgeApp.close();
      }
    });
    afterAll(async () => {
      await t?.stop();
    });

    // A standing finding on a hub stream (and one on the leaf's): a config override, so any version.
    const doc = (label?: string) =>
      buildConfig(
        {
          ...(label ? { cluster: label } : {}),
          nats: { servers: t.hub.urls, user: SYS_USER.user, password: SYS_USER.password },
          thresholds: {
            streams: {
              overrides: [
                { stream: "IDN", values: { "msgs-critical": "1" } },
                { stream: "LEAFONLY", values: { "msgs-critical": "1" } },
              ],
            },
          },
          timeouts: { request: "1500ms", connect: "2s" },
        },
        {},
      );
    const clusterOf = (r: RunReport, stream: string) =>
      r.findings.filter((f) => f.id === "stream_messages" && f.subject.stream === stream).map((f) => f.subject.cluster);

    it("names the same cluster whether or not the leaf server answers: the label, else the meta group's name", async () => {
      const labelled = doc("prod-hub");
      const bare = doc();
      const h1 = newHistory();
      const h2 = newHistory();
      const withLeaf = await waitFor(
        "the leaf server to answer",
        async () => {
          const r = await runOnce(streamsSlice, { config: labelled, history: h1 });
          return clusterOf(r, "LEAFONLY").length ? r : undefined;
        },
        30_000,
        500,
      );
      const bareWithLeaf = await runOnce(streamsSlice, { config: bare, history: h2 });
      expect(clusterOf(withLeaf, "IDN")).toEqual(["prod-hub"]);
      expect(clusterOf(withLeaf, "LEAFONLY")).toEqual(["edge"]); // the leaf's own streams name its domain
      expect(clusterOf(bareWithLeaf, "IDN")).toEqual([t.hub.name]); // the meta group's name

      await t.edge.kill(0);
      try {
        const without = await runOnce(streamsSlice, { config: labelled, history: h1 });
        const bareWithout = await runOnce(streamsSlice, { config: bare, history: h2 });
        expect(clusterOf(without, "IDN")).toEqual(["prod-hub"]);
        expect(clusterOf(bareWithout, "IDN")).toEqual([t.hub.name]);
        // One alert across both runs: still firing, not a second `new` page.
        expect(without.findings.find((f) => f.subject.stream === "IDN")!.state).toBe("firing");
        expect(bareWithout.findings.find((f) => f.subject.stream === "IDN")!.state).toBe("firing");
      } finally {
        await t.edge.restart(0);
      }
    });
  });
}
