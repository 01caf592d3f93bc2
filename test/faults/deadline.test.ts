// Issue 8, bounded work: a run stops collecting at its deadline (the Lambda's remaining time less
// what saving and notifying need), keeps what it has, and says what it could not finish.
import { jetstreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectStreams } from "../../lib/collect/streams.ts";
import { evaluateStreams } from "../../lib/checks/streams.ts";
import { DEFAULT_CONFIG } from "../../lib/config/config.ts";
import { newRequestStats } from "../../lib/nats/stats.ts";
import { collectionDeadline } from "../../lib/lambda/handler.ts";
import { NatsCluster } from "../../lib/testbed/cluster.ts";
import { newestServer } from "../../lib/testbed/servers.ts";

describe("a run at its deadline", () => {
  let cluster: NatsCluster;
  beforeAll(async () => {
    cluster = await NatsCluster.start({ binary: newestServer() });
    for (const account of ["APP", "OTHER"]) {
      const nc = await cluster.appConnection(account);
      await (await jetstreamManager(nc)).streams.add({ name: `IN_${account}`, subjects: ["x.>"], num_replicas: 3 });
      await nc.close();
    }
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("stops paging at the deadline, keeps the pages it has, and names what is unchecked", async () => {
    const nc = await cluster.sysConnection();
    try {
      // One account per page: without a deadline every account is read, page by page.
      const all = await collectStreams(nc, "system", { timeoutMs: 1500, stats: newRequestStats(), accountsPerPage: 1 });
      expect(all.streams.map((s) => s.name).sort()).toEqual(["IN_APP", "IN_OTHER"]);
      expect(all.pages).toBeGreaterThan(1);

      const now = Date.now();
      const cut = await collectStreams(nc, "system", {
        timeoutMs: 1500,
        stats: newRequestStats(),
        accountsPerPage: 1,
        deadline: now - 1,
      });
      expect(cut.pages).toBe(1);
      expect(cut.problems.join(" ")).toMatch(
        /stopped after 1 JSZ page\(s\) at the run's deadline: accounts from offset \d+ unchecked/,
      );
      // The run says so in a warning rather than looking healthy.
      const findings = evaluateStreams(cut, undefined, DEFAULT_CONFIG.thresholds.streams);
      expect(findings.find((f) => f.id === "monitor_partial")?.summary).toMatch(/deadline/);
    } finally {
      await nc.close();
    }
  });

  it("leaves the Lambda time to save and notify after collecting", () => {
    const now = 1_000_000;
    expect(collectionDeadline(now, 50_000)).toBe(now + 35_000);
    expect(collectionDeadline(now, 12_000)).toBe(now + 2_000);
  });
});
