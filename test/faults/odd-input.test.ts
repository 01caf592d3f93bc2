// Issue 8: malformed metadata, huge values, odd stream names and an empty cluster give clear
// findings (or none), never a crash or a silent stream; on a real server with metadata (2.10+).
import { jetstreamManager } from "@nats-io/jetstream";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConfig } from "../../lib/config/load.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import type { RunReport } from "../../lib/run/run-slice.ts";
import { runOnce } from "../harness/run.ts";
import { SLICES } from "../../lib/slices/index.ts";
import { NatsCluster, SYS_USER } from "../../lib/testbed/cluster.ts";
import { newestServer } from "../../lib/testbed/servers.ts";

const HUGE = "9".repeat(400);
const LONG_BAD = "x".repeat(5000);

describe("odd input on a real cluster", () => {
  let cluster: NatsCluster;
  beforeAll(async () => {
    cluster = await NatsCluster.start({ binary: newestServer() });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  async function run(slice: "meta" | "streams"): Promise<RunReport> {
    const config = buildConfig(
      {
        nats: { servers: cluster.urls, user: SYS_USER.user, password: SYS_USER.password },
        timeouts: { request: "2s", connect: "2s" },
      },
      {},
    );
    return runOnce(SLICES[slice]!, {
      config,
      history: new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-odd-"))),
    });
  }

  it("finds nothing wrong with an empty cluster (no streams at all)", async () => {
    const [meta, streams] = [await run("meta"), await run("streams")];
    expect(meta.findings).toEqual([]);
    expect(streams.findings).toEqual([]);
    expect(streams.errors).toEqual([]);
  });

  it("judges streams with unicode and long names, and names each malformed or huge threshold", async () => {
    const app = await cluster.appConnection();
    const jsm = await jetstreamManager(app);
    const unicode = "ÜBER_ストリーム_🚀";
    const long = `L${"o".repeat(200)}NG`;
    await jsm.streams.add({ name: unicode, subjects: ["uni.>"], num_replicas: 3 });
    await jsm.streams.add({ name: long, subjects: ["long.>"], num_replicas: 3 });
    await jsm.streams.add({
      name: "BAD-META",
      subjects: ["bad.>"],
      num_replicas: 3,
      metadata: {
        "io.nats.monitor.peer-seen-critical": "soon",
        "io.nats.monitor.msgs-critical": HUGE,
        "io.nats.monitor.peer-lag-critical": LONG_BAD,
        "io.nats.monitor.msgs-warn": "-1",
        "io.nats.monitor.peer-expect": "5",
      },
    });
    await app.close();

    const r = await run("streams");
    expect(r.errors).toEqual([]);
    const of = (stream: string) =>
      r.findings
        .filter((f) => f.subject.stream === stream)
        .map((f) => f.id)
        .sort();
    // Healthy streams with odd names: judged, nothing to say.
    expect(of(unicode)).toEqual([]);
    expect(of(long)).toEqual([]);
    // The malformed stream: one warning naming the bad keys, and its other checks still ran
    // (peer-expect 5 on an R3 stream fires).
    expect(of("BAD-META")).toEqual(["stream_peer_expect", "threshold_invalid"]);
    const bad = r.findings.find((f) => f.id === "threshold_invalid")!;
    expect(bad.severity).toBe("warning");
    expect(bad.summary).toContain('io.nats.monitor.peer-seen-critical="soon"');
    expect(bad.summary).toContain("peer-lag-critical");
    // Whatever it says, it stays a readable line, not a 5,000-character echo of the value.
    expect(bad.summary.length).toBeLessThan(2000);
    const expect5 = r.findings.find((f) => f.id === "stream_peer_expect")!;
    expect(expect5.summary).toMatch(/3/);
    expect(expect5.summary).toMatch(/5/);
  });
});
