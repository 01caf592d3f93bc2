// The servers slice at 3 and 9 servers (run by hand; not yet part of `npm run bench`): requests,
// bytes and time of whole runs through runSlice (connect, history, collect, judge, save), the first
// run apart (it knows no server count, so it waits the whole request timeout).
// Usage: npx tsx bench/servers-scale.ts [version] [sizes, e.g. 3,9]
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildConfig } from "../lib/config/load.ts";
import { FileHistoryStore } from "../lib/history/file-store.ts";
import { serversSlice } from "../lib/slices/servers.ts";
import { NatsCluster, SYS_USER } from "../lib/testbed/cluster.ts";
import { installedServers } from "../lib/testbed/servers.ts";
import { timedSliceRun } from "./slice-run.ts";

const version = process.argv[2] ?? "2.15.1";
const sizes = (process.argv[3] ?? "3,9").split(",").map(Number);
const binary = installedServers().find((b) => b.version === version);
if (!binary) throw new Error(`no nats-server ${version} cached`);
const RUNS = 5;

for (const size of sizes) {
  const c = await NatsCluster.start({ binary, size });
  try {
    const config = buildConfig(
      { nats: { servers: c.urls, user: SYS_USER.user, password: SYS_USER.password }, timeouts: { request: "3s" } },
      {},
    );
    const history = new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-bench-servers-")));
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await timedSliceRun(serversSlice, config, history));
    const later = runs.slice(1);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const r = later[later.length - 1]!.report;
    console.log(
      JSON.stringify({
        version,
        servers: size,
        answered: r.perf.find((p) => p.name === "servers_answered")?.value,
        requests: r.requests.requests,
        bytes_received: r.requests.bytesReceived,
        bytes_decoded: r.requests.bytesDecoded,
        first_run_ms: Math.round(runs[0]!.wallMs),
        median_run_ms: Math.round(median(later.map((x) => x.wallMs))),
        median_cpu_ms: Math.round(median(later.map((x) => x.cpuMs))),
        findings: r.findings.map((f) => f.id),
      }),
    );
  } finally {
    await c.stop();
  }
}
