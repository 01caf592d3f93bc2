// `lookout watch` for hundreds of cycles: no listener may pile up per wait (a month of runs would
// keep ~130,000 closures, and Node warns after 10 on one signal).
import { getEventListeners } from "node:events";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runWatch } from "../../lib/cli/watch.ts";
import { buildConfig } from "../../lib/config/load.ts";
import { NatsCluster, SYS_USER } from "../../lib/testbed/cluster.ts";
import { newestServer } from "../../lib/testbed/servers.ts";

describe("lookout watch soak", () => {
  let cluster: NatsCluster;
  beforeAll(async () => {
    cluster = await NatsCluster.start({ binary: newestServer() });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("runs 300 cycles with no warning and a flat listener count", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on("warning", onWarning);
    const config = buildConfig(
      {
        nats: { servers: cluster.urls, user: SYS_USER.user, password: SYS_USER.password },
        slices: {
          meta: { every: "1ms" },
          streams: { enabled: false },
          consumers: { enabled: false },
          servers: { enabled: false },
        },
        history: { kind: "file", dir: mkdtempSync(join(tmpdir(), "lookout-soak-")) },
        notify: [],
      },
      {},
    );
    const caller = new AbortController();
    const sigintBefore = process.listenerCount("SIGINT");
    let lines = 0;
    try {
      await runWatch(config, {
        verbose: true,
        maxRuns: 300,
        signal: caller.signal,
        out: () => void lines++,
        err: (s) => warnings.push(s),
      });
      // Let any deferred warning surface before looking.
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings).toEqual([]);
    expect(lines).toBe(301); // the start line and one line per run
    expect(getEventListeners(caller.signal, "abort")).toHaveLength(0);
    expect(process.listenerCount("SIGINT")).toBe(sigintBefore);
  }, 300_000);
});
