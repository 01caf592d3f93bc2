// What one run of each slice costs against DynamoDB: items, bytes and write units per save, on a
// throwaway 3-node cluster and moto_server, both on 127.0.0.1 and stopped by PID at the end.
//
//   npx tsx scripts/history-cost.ts [--runs 3] [--streams 0] [--replicas 1]
//
// --streams N creates N streams in account APP first (for the streams slice, once registered).
// Write units are computed from item sizes with DynamoDB's formula (1 unit per started KB for a
// standard write); moto reports 1 unit per write whatever its size, shown beside for comparison.
// The last table stores synthetic per-stream observation documents of growing size, to show where a
// run's history stops fitting one item.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { jetstreamManager } from "@nats-io/jetstream";
import { emptyBook } from "../lib/alerts/alert.ts";
import { buildConfig } from "../lib/config/load.ts";
import { DynamoHistoryStore } from "../lib/history/dynamodb-store.ts";
import { createHistoryTable } from "../lib/history/dynamodb-table.ts";
import { consistentReadUnits } from "../lib/history/dynamodb-capacity.ts";
import type { SaveReport } from "../lib/history/store.ts";
import { JsonLinesNotifier } from "../lib/notify/jsonl.ts";
import { SharedConnection } from "../lib/run/connection.ts";
import { runSlice, type RunReport } from "../lib/run/run-slice.ts";
import { SLICES } from "../lib/slices/index.ts";
import type { Slice } from "../lib/slices/slice.ts";
import { NatsCluster, SYS_USER } from "../lib/testbed/cluster.ts";
import { MotoServer } from "../lib/testbed/moto.ts";
import { newestServer } from "../lib/testbed/servers.ts";
import { streamObservations } from "../lib/testbed/synthetic-history.ts";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    streams: { type: "string", default: "0" },
    replicas: { type: "string", default: "1" },
  },
});
const RUNS = Number(args.runs);
const STREAMS = Number(args.streams);
const TABLE = "lookout-history-cost";
const out = (s = "") => process.stdout.write(`${s}\n`);
const row = (cells: (string | number)[], widths: number[]) =>
  out(cells.map((c, i) => String(c).padStart(widths[i]!)).join("  "));

function saveLine(s: SaveReport): string {
  return `${s.items} item(s), ${s.bytes} B stored (${s.rawBytes ?? "?"} B JSON), ${s.computedWriteUnits} WCU computed / ${s.writeUnits} ${s.writeUnitsSource}`;
}

const binary = newestServer();
const moto = await MotoServer.start();
const cluster = await NatsCluster.start({ binary, clusterName: "cost" });
const work = mkdtempSync(join(tmpdir(), "lookout-cost-"));
try {
  const raw = new DynamoDBClient({
    endpoint: moto.endpoint,
    region: moto.env.region,
    credentials: moto.env.credentials,
  });
  await createHistoryTable(raw, TABLE);
  raw.destroy();
  const store = new DynamoHistoryStore({
    table: TABLE,
    ttlDays: 14,
    clientConfig: { endpoint: moto.endpoint, region: moto.env.region, credentials: moto.env.credentials },
  });

  if (STREAMS > 0) {
    const app = await cluster.appConnection();
    const jsm = await jetstreamManager(app);
    for (let i = 0; i < STREAMS; i++)
      await jsm.streams.add({ name: `COST_${i}`, subjects: [`cost.${i}.>`], num_replicas: Number(args.replicas) });
    await app.close();
  }
  out(
    `nats-server ${binary.version}, 3 nodes, ${STREAMS} stream(s) in APP; DynamoDB: moto_server on 127.0.0.1; ${RUNS} run(s) per slice`,
  );
  out();

  const config = buildConfig(
    {
      cluster: "cost",
      nats: { servers: cluster.urls, user: SYS_USER.user, password: SYS_USER.password },
      thresholds: { meta: { flapMaxChanges: 1 } },
      timeouts: { request: "3s", connect: "2s" },
    },
    {},
  );
  const conn = new SharedConnection(config.nats, config.timeouts.connectMs);
  const run = (slice: Slice, notify = false): Promise<RunReport> =>
    runSlice(slice, {
      config,
      history: store,
      notifiers: notify ? [new JsonLinesNotifier(join(work, "notices.jsonl"))] : [],
      connection: conn.get,
      describeError: conn.describe,
    });

  const widths = [8, 4, 7, 6, 9, 10, 6, 8, 10];
  row(["slice", "run", "saves", "items", "bytes", "JSON bytes", "WCU", "moto WU", "findings"], widths);
  const perSlice: { slice: string; items: number; bytes: number; wcu: number; rcu: number; everyMs: number }[] = [];
  for (const slice of Object.values(SLICES).filter((s): s is Slice => s !== undefined)) {
    let last: SaveReport | undefined;
    for (let i = 1; i <= RUNS; i++) {
      const r = await run(slice);
      for (const e of r.errors) out(`  ${slice.name} run ${i}: ${e}`);
      const s = r.history.saves;
      last = s.at(-1);
      row(
        [
          slice.name,
          i,
          s.length,
          sum(s, "items"),
          sum(s, "bytes"),
          sum(s, "rawBytes"),
          sum(s, "computedWriteUnits"),
          sum(s, "writeUnits"),
          r.findings.length,
        ],
        widths,
      );
    }
    if (last)
      perSlice.push({
        slice: slice.name,
        items: last.items,
        bytes: last.bytes,
        wcu: last.computedWriteUnits ?? 0,
        rcu: consistentReadUnits(last.bytes),
        everyMs: config.slices[slice.name].everyMs,
      });
  }

  // A run with notices to send writes twice: the claim, then the settled outcome.
  out();
  out("meta run with a notice to send (META_003 after two forced elections), one JSON-lines notifier:");
  await cluster.stepdownMeta();
  await run(SLICES.meta!, true);
  await cluster.stepdownMeta();
  const noisy = await run(SLICES.meta!, true);
  noisy.history.saves.forEach((s, i) => out(`  save ${i + 1} (${i === 0 ? "claim" : "settle"}): ${saveLine(s)}`));
  await conn.close();

  out();
  out("per run, steady state (nothing to notify: one save):");
  for (const p of perSlice) {
    const runsPerMonth = Math.round((30 * 86_400_000) / p.everyMs);
    out(
      `  ${p.slice}: ${p.items} item, ${p.bytes} B, ${p.wcu} write unit(s) + ~${p.rcu} read unit(s) (consistent GetItem); every ${p.everyMs / 1000}s = ${runsPerMonth} runs/30 days = ${(runsPerMonth * p.wcu).toLocaleString("en")} write units, ${(runsPerMonth * p.rcu).toLocaleString("en")} read units`,
    );
  }

  out();
  out("synthetic streams-slice documents (random per-stream sequence numbers: a pessimistic case for gzip):");
  const w2 = [8, 11, 10, 6, 6];
  row(["streams", "JSON bytes", "stored B", "items", "WCU"], w2);
  let version: number | undefined;
  const key = { cluster: "cost-synthetic", slice: "streams" as const };
  for (const n of [100, 1_000, 10_000, 20_000, 50_000]) {
    const s = await store.save(
      key,
      { observations: streamObservations(n), book: emptyBook(), runId: `synthetic-${n}`, savedAt: Date.now() },
      version,
    );
    version = s.version;
    row([n, s.rawBytes ?? 0, s.bytes, s.items, s.computedWriteUnits ?? 0], w2);
  }
  await store.close();
} finally {
  await cluster.stop();
  await moto.stop();
  rmSync(work, { recursive: true, force: true });
}

function sum(s: SaveReport[], k: "items" | "bytes" | "rawBytes" | "computedWriteUnits" | "writeUnits"): number {
  return s.reduce((a, x) => a + (x[k] ?? 0), 0);
}
