// Prints the report's tables as Markdown for docs/bench.md: `npx tsx bench/doc.ts [report.json]`.
import { readFileSync } from "node:fs";
import { renderCost, renderNetworking, renderPrices } from "./cost-tables.ts";
import { DEFAULT_RESULTS } from "./options.ts";
import type { BenchReport } from "./report.ts";
import { renderBudgets, renderServersTable, renderTable } from "./table.ts";

const r = JSON.parse(readFileSync(process.argv[2] ?? DEFAULT_RESULTS, "utf8")) as BenchReport;
const sections = [
  `Measured ${r.generated_at.slice(0, 10)} on ${r.machine.cpus} cores (${r.machine.platform}, node ${r.machine.node}), nats-server ${r.machine.nats_server}, ${r.options.runs} runs per S (medians), S = ${r.options.sizes.join(", ")}.`,
  renderTable(r),
  renderServersTable(r),
  "## Budgets",
  renderBudgets(r),
  "## Monthly cost",
  renderCost(r),
  "## Prices assumed",
  renderPrices(r),
  "## Networking inside a VPC",
  renderNetworking(r),
];
process.stdout.write(`${sections.join("\n\n")}\n`);
