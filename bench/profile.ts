// Where a slice spends its time at one S: fills a fresh cluster as the benchmark does (with its
// consumers for the consumers slice), then runs the slice in a child under `node --cpu-prof`
// (source, not the bundle, so names are readable) and prints the functions with the most self time.
//   npx tsx bench/profile.ts [--size 5000] [--slice streams|consumers] [--runs 3] [--dir .tmp/profiles]
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs, promisify } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createHistoryTable } from "../lib/history/dynamodb-table.ts";
import { NatsCluster, SYS_USER } from "../lib/testbed/cluster.ts";
import { MotoServer } from "../lib/testbed/moto.ts";
import { newestServer, projectRoot } from "../lib/testbed/servers.ts";
import { BENCH_ACCOUNTS, fillCluster } from "./fill.ts";
import { fillConsumers } from "./fill-consumers.ts";
import { hotFunctions } from "./profile-summary.ts";
import { BENCH_TABLE, motoClientConfig, type BenchTarget } from "./target.ts";

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    size: { type: "string", default: "5000" },
    runs: { type: "string", default: "3" },
    slice: { type: "string", default: "streams" },
    dir: { type: "string", default: ".tmp/profiles" },
  },
});
const S = Number(values.size);
const dir = resolve(values.dir);
mkdirSync(dir, { recursive: true });

const moto = await MotoServer.start();
const cluster = await NatsCluster.start({ binary: newestServer(), accounts: BENCH_ACCOUNTS, clusterName: `prof${S}` });
try {
  const ddb = new DynamoDBClient(motoClientConfig(moto.endpoint));
  await createHistoryTable(ddb, BENCH_TABLE);
  ddb.destroy();
  const log = (s: string) => process.stderr.write(`${s}\n`);
  await fillCluster(cluster, S, 16, log);
  if (values.slice === "consumers") await fillConsumers(cluster, S, 32, log);
  const target: BenchTarget = {
    servers: cluster.urls,
    user: SYS_USER.user,
    password: SYS_USER.password,
    ddbEndpoint: moto.endpoint,
    table: BENCH_TABLE,
    label: `prof-${S}`,
  };
  const before = new Set(readdirSync(dir));
  const tsx = join(projectRoot, "node_modules", "tsx", "dist", "esm", "index.mjs");
  const { stdout } = await run(
    process.execPath,
    [
      "--cpu-prof",
      "--cpu-prof-dir",
      dir,
      "--import",
      tsx,
      join(projectRoot, "bench", "rss-child.ts"),
      JSON.stringify(target),
      values.runs,
      values.slice,
    ],
    { cwd: projectRoot, maxBuffer: 1 << 20 },
  );
  process.stdout.write(`child: ${stdout}`);
  const file = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile") && !before.has(f))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (!file) throw new Error("no profile written");
  const { totalMs, hot } = hotFunctions(file);
  process.stdout.write(`${file}: ${totalMs.toFixed(0)} ms sampled (${values.runs} runs, module loading included)\n`);
  for (const h of hot)
    process.stdout.write(
      `${h.selfMs.toFixed(1).padStart(8)} ms ${(h.share * 100).toFixed(1).padStart(5)}%  ${h.name}  ${h.where}\n`,
    );
} finally {
  await cluster.stop();
  await moto.stop();
}
