// The embedded file history: the shared contract, plus surviving a kill -9 in the middle of saves.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import { sleep, waitFor } from "../../lib/testbed/cluster.ts";
import { projectRoot } from "../../lib/testbed/servers.ts";
import { historyContract, historyDoc, lcg } from "./contract.ts";

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "lookout-history-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

historyContract("file", () => ({
  chunksLargeDocuments: false,
  open: async () => new FileHistoryStore(tempDir()),
  twin: async (s) => new FileHistoryStore((s as FileHistoryStore).dir),
}));

describe("FileHistoryStore", () => {
  it("leaves a readable document and a working store after a kill -9 in the middle of saves", async () => {
    const dir = tempDir();
    const cluster = "kill-test";
    const key = { cluster, slice: "streams" as const };
    const store = new FileHistoryStore(dir);
    const rnd = lcg(42);
    let lastSeen = 0;
    for (let round = 0; round < 4; round++) {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", join(projectRoot, "test/history/file-saver-child.ts"), dir, cluster],
        { cwd: projectRoot, stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      let err = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      // Let it save a few times, then kill it at a random moment of a save.
      await waitFor(
        "the child to save 3 times",
        () => {
          if (child.exitCode !== null) throw new Error(`child exited ${child.exitCode}: ${err}`);
          return out.trim().split("\n").filter(Boolean).length >= 3 ? true : undefined;
        },
        60_000,
        20,
      );
      await sleep(Math.floor(rnd() * 150));
      child.kill("SIGKILL");
      await exited;
      const printed = out.trim().split("\n").filter(Boolean).map(Number);
      const lastPrinted = printed.at(-1)!;

      // Readable, and at least as new as the last save the child finished.
      const loaded = await store.load<{ streams: Record<string, unknown> }>(key);
      expect(loaded!.version).toBeGreaterThanOrEqual(lastPrinted);
      expect(loaded!.version).toBeLessThanOrEqual(lastPrinted + 1);
      expect(loaded!.version).toBeGreaterThan(lastSeen);
      expect(Object.keys(loaded!.doc.observations?.streams ?? {})).toHaveLength(20_000);

      // The next save works: a lock left by the dead child is broken, its temp file swept.
      const r = await store.save(key, historyDoc({ streams: {} }, `parent-${round}`), loaded!.version);
      expect(r.version).toBe(loaded!.version + 1);
      lastSeen = r.version;
      expect(existsSync(join(dir, cluster, "streams.json.lock"))).toBe(false);
      expect(readdirSync(join(dir, cluster)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    }
  });
});
