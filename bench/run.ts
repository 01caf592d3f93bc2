// The benchmark: `npx tsx bench/run.ts [--sizes 100,1000,5000] [--runs 5] [--cli-runs 21] [--out FILE]`
// (`npm run bench`). Starts its own clusters and moto_server on 127.0.0.1, stops them by PID.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { runBenchmark } from "./benchmark.ts";
import { parseOptions } from "./options.ts";
import { renderBudgets, renderTable } from "./table.ts";

const options = parseOptions(process.argv.slice(2));
const log = (s: string) => process.stderr.write(`${s}\n`);
const report = await runBenchmark(options, log);
mkdirSync(dirname(options.out), { recursive: true });
writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${renderTable(report)}\n\n${renderBudgets(report)}\n\nreport: ${options.out}\n`);
