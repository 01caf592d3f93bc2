// The benchmark: `npx tsx bench/run.ts [--sizes 100,1000,5000] [--runs 5] [--cli-runs 21] [--out FILE]`
// (`npm run bench`). Starts its own clusters and moto_server on 127.0.0.1, stops them by PID.
// `--only cli` measures only the CLI start-up and updates that part (and its budget row) of the
// report already at --out, saying when in `cli_startup.measured_at`.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { performance } from "node:perf_hooks";
import { runBenchmark } from "./benchmark.ts";
import { cliBudget, measureCliStartup } from "./cli-startup.ts";
import { parseOptions } from "./options.ts";
import type { BenchReport } from "./report.ts";
import { renderBudgets, renderServersTable, renderTable } from "./table.ts";

const options = parseOptions(process.argv.slice(2));
const started = performance.now();
// Seconds since the start on every line: a full run takes long, and the log says where it is.
const log = (s: string) =>
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${s}\n`);
let report: BenchReport;
if (options.only === "cli") {
  report = JSON.parse(readFileSync(options.out, "utf8")) as BenchReport;
  report.cli_startup = { ...(await measureCliStartup(options.cliRuns, log)), measured_at: new Date().toISOString() };
  const row = cliBudget(report.cli_startup);
  report.budgets = [...report.budgets.filter((b) => b.name !== row.name), row];
} else report = await runBenchmark(options, log);
mkdirSync(dirname(options.out), { recursive: true });
writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
const tables = [renderTable(report), renderServersTable(report), renderBudgets(report)];
process.stdout.write(`${tables.join("\n\n")}\n\nreport: ${options.out}\n`);
