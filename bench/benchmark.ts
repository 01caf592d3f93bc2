// Runs every measurement and assembles the report. Order matters for honest numbers: clusters one
// at a time (each S on a fresh one, then one per servers-slice cluster size), then bundles, then
// pure evaluation once every server is gone, so the CPU-bound figures are not shared with a
// cluster's background work.
import { cpus } from "node:os";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { LookoutConfig } from "../lib/config/config.ts";
import { createHistoryTable } from "../lib/history/dynamodb-table.ts";
import type { SnapshotBase } from "../lib/slices/slice.ts";
import { MotoServer } from "../lib/testbed/moto.ts";
import { newestServer } from "../lib/testbed/servers.ts";
import { functionNames, measureBundle, type BundleFigures } from "./bundles.ts";
import { measureCliStartup } from "./cli-startup.ts";
import { evaluationBench } from "./evaluation.ts";
import { measureServers, type ServersFigures } from "./measure-servers.ts";
import { measureSize, type SizeFigures } from "./measure-size.ts";
import type { BenchOptions } from "./options.ts";
import { buildReport, type BenchReport } from "./report.ts";
import { buildRssChild } from "./rss.ts";
import { BENCH_TABLE, motoClientConfig } from "./target.ts";

export async function runBenchmark(o: BenchOptions, log: (s: string) => void): Promise<BenchReport> {
  const binary = newestServer();
  const sizes: SizeFigures[] = [];
  const servers: ServersFigures[] = [];
  let kept: { snap: SnapshotBase; config: LookoutConfig } | undefined;
  const moto = await MotoServer.start();
  try {
    const ddb = new DynamoDBClient(motoClientConfig(moto.endpoint));
    await createHistoryTable(ddb, BENCH_TABLE);
    ddb.destroy();
    const rssChild = await buildRssChild();
    const largest = o.sizes.at(-1)!;
    for (const S of o.sizes) {
      sizes.push(
        await measureSize(S, {
          binary,
          ddbEndpoint: moto.endpoint,
          runs: o.runs,
          fillConcurrency: o.fillConcurrency,
          consumerFillConcurrency: o.consumerFillConcurrency,
          rttMs: o.rttMs,
          rssChild,
          log,
          ...(S === largest
            ? { keepSnapshot: (snap: SnapshotBase, config: LookoutConfig) => (kept = { snap, config }) }
            : {}),
        }),
      );
    }
    for (const n of o.serverCounts) {
      log(`servers slice: a fresh cluster of ${n} servers`);
      servers.push(await measureServers(n, { binary, ddbEndpoint: moto.endpoint, runs: o.runs, log }));
    }
  } finally {
    await moto.stop();
  }

  const bundles: Record<string, BundleFigures> = {};
  for (const f of functionNames()) {
    log(`bundle ${f}: building and importing ${o.initRuns} times`);
    bundles[f] = await measureBundle(f, o.initRuns);
  }
  const cli = await measureCliStartup(o.cliRuns, log);
  if (!kept) throw new Error("no streams snapshot was kept for the evaluation benchmark");
  log(`evaluation: ${o.evalSeconds} s over a snapshot of S=${o.sizes.at(-1)}`);
  const evaluation = evaluationBench(kept.snap, kept.config, o.evalSeconds);
  return buildReport({
    sizes,
    servers,
    bundles,
    cli,
    evaluation,
    runs: o.runs,
    initRuns: o.initRuns,
    rttMs: o.rttMs,
    natsVersion: binary.version,
    cpus: cpus().length,
  });
}
