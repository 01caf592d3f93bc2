// Issue 8: `lookout watch` killed with -9 in the middle of its runs leaves its file history intact,
// and the next run continues the alert lifecycle where it was (no alert reopened as "new").
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConfig } from "../../lib/config/load.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import { seededRandom } from "../../lib/testbed/random.ts";
import { historyKeyFor } from "../../lib/run/run-slice.ts";
import { runCheck } from "../../lib/cli/check.ts";
import { NatsCluster, SYS_USER, sleep, waitFor } from "../../lib/testbed/cluster.ts";
import { newestServer, projectRoot } from "../../lib/testbed/servers.ts";

describe("lookout watch killed mid-run", () => {
  let cluster: NatsCluster;
  let dir: string;
  beforeAll(async () => {
    cluster = await NatsCluster.start({ binary: newestServer() });
    dir = mkdtempSync(join(tmpdir(), "lookout-kill-"));
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("keeps a readable history through repeated kill -9, and the next run continues", async () => {
    const doc = {
      cluster: "killtest",
      nats: { servers: cluster.urls, user: SYS_USER.user, password: SYS_USER.password },
      // Runs back to back, so kills land inside saves too; a peer-seen threshold that always fires
      // keeps an alert open across the kills.
      slices: { meta: { every: "10ms" }, streams: { every: "10ms" } },
      thresholds: { meta: { peerSeenCritical: "1ms" } },
      history: { kind: "file", dir: join(dir, "history") },
      notify: [{ kind: "jsonl", file: join(dir, "notices.jsonl") }],
      timeouts: { request: "1s", connect: "2s" },
    };
    const cfgFile = join(dir, "lookout.json");
    writeFileSync(cfgFile, JSON.stringify(doc));
    const config = buildConfig(doc, {});
    const store = new FileHistoryStore(join(dir, "history"));
    const key = historyKeyFor(config, "meta");

    // Kill points chosen by a seeded source: a failure reproduces with the same seed.
    const random = seededRandom(Number(process.env.LOOKOUT_TEST_SEED ?? 8));
    for (let i = 0; i < 8; i++) {
      const child = spawn(process.execPath, [join(projectRoot, "bin", "lookout.js"), "watch", "--config", cfgFile], {
        stdio: "ignore",
      });
      await waitFor("a saved history", async () => ((await store.load(key)) ? true : undefined), 30_000, 20);
      await sleep(50 + Math.floor(random() * 400));
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
      const loaded = await store.load<unknown>(key);
      expect(loaded?.version).toBeGreaterThan(0);
    }
    const before = await store.load<unknown>(key);
    expect(Object.keys(before!.doc.book.alerts).length).toBeGreaterThan(0);

    const [report] = (await runCheck(config, "meta")).reports;
    expect(report!.errors).toEqual([]);
    const seen = report!.findings.filter((f) => f.id === "meta_peer_seen");
    expect(seen.length).toBe(2);
    // The alerts survived the kills: still firing, not reopened as new.
    expect(seen.every((f) => f.state === "firing")).toBe(true);
    expect(report!.history.loadedVersion).toBeGreaterThanOrEqual(before!.version);
    // A lock or temp file a killed run left behind neither blocks the next save nor stays around.
    expect(report!.history.saves.length).toBeGreaterThan(0);
    expect(readdirSync(join(dir, "history", "killtest")).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
