// The one table the benchmark prints (and docs/bench.md shows): a row per figure, a column per S.
import type { BenchReport } from "./report.ts";

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const kb = (b: number) => (b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : `${(b / 1e3).toFixed(1)} kB`);
const ms = (x: number) => `${x >= 100 ? x.toFixed(0) : x.toFixed(1)} ms`;

/** Markdown rows: readable in a terminal, pasteable into docs. */
export function renderTable(r: BenchReport): string {
  const sizes = r.options.sizes.map(String);
  const rows: [string, (s: string) => string][] = [
    ["streams slice, end to end (median)", (s) => ms(r.streams_slice_ms[s]!)],
    ["  of which CPU in the monitor", (s) => ms(r.streams_slice_cpu_ms[s]!)],
    ["raw leader-only JSZ fan-out (median)", (s) => ms(r.raw_fanout_ms[s]!)],
    [
      "streams slice through runCheck (median) / over the raw fan-out",
      (s) => `${ms(r.streams_check_ms[s]!)} / ${r.streams_slice_over_raw_fanout[s]}x`,
    ],
    ["naive loop, 1 STREAM.INFO per stream", (s) => ms(r.naive_ms[s]!)],
    ["speedup vs naive (bare loopback)", (s) => `${r.speedup_vs_naive[s]}x`],
    ...(r.rtt_ms > 0
      ? ([
          [`streams slice, ${r.rtt_ms} ms round trip added`, (s) => ms(r.streams_slice_rtt_ms[s]!)],
          [`naive loop, ${r.rtt_ms} ms round trip added`, (s) => ms(r.naive_rtt_ms[s]!)],
          [`speedup vs naive, ${r.rtt_ms} ms round trip added`, (s) => `${r.speedup_vs_naive_rtt[s]}x`],
          [
            "  round trip measured (PING/PONG): relay / bare loopback",
            (s) => `${r.rtt_measured_ms[s]!.toFixed(2)} / ${r.loopback_rtt_ms[s]!.toFixed(2)} ms`,
          ],
        ] as [string, (s: string) => string][])
      : []),
    ["meta slice, end to end (median)", (s) => ms(r.meta_slice_ms[s]!)],
    [
      "NATS requests per streams run (budget)",
      (s) => `${r.nats_requests_per_run[s]} (<= ${r.nats_requests_budget[s]})`,
    ],
    ["NATS requests per naive run", (s) => String(r.naive_requests_per_run[s])],
    [
      "NATS bytes received (gzip) / JSON",
      (s) => `${kb(r.nats_bytes_received_per_run[s]!)} / ${kb(r.nats_json_bytes_per_run[s]!)}`,
    ],
    ["DynamoDB items written per run", (s) => String(r.ddb_items_written_per_run[s])],
    [
      "history bytes per run (gzip) / JSON",
      (s) => `${kb(r.history_bytes_per_run[s]!)} / ${kb(r.history_json_bytes_per_run[s]!)}`,
    ],
    ["DynamoDB write / read units per run", (s) => `${r.ddb_write_units_per_run[s]} / ${r.ddb_read_units_per_run[s]}`],
    ["findings per run (healthy cluster)", (s) => String(r.findings_per_run[s])],
    ["peak RSS, streams slice (baseline)", (s) => `${mib(r.peak_rss_bytes[s]!)} (${mib(r.baseline_rss_bytes[s]!)})`],
    ["peak RSS / raw JSON received", (s) => `${r.rss_over_raw_json[s]}x`],
    [
      "V8 heap after a forced GC: after the runs (before)",
      (s) =>
        r.retained_heap_bytes?.[s] ? `${mib(r.retained_heap_bytes[s])} (${mib(r.baseline_heap_bytes[s]!)})` : "n/a",
    ],
    ...consumerRows(r),
  ];
  const header = `| figure | ${sizes.map((s) => `S = ${Number(s).toLocaleString("en-US")}`).join(" | ")} |`;
  const sep = `|---|${sizes.map(() => "---:").join("|")}|`;
  const body = rows.map(([name, f]) => `| ${name} | ${sizes.map(f).join(" | ")} |`);
  const fns = Object.keys(r.bundle_bytes);
  const once = [
    "",
    "| figure | value |",
    "|---|---:|",
    ...fns.map((f) => `| bundle ${f}: size, init (median) | ${kb(r.bundle_bytes[f]!)}, ${ms(r.init_ms[f]!)} |`),
    `| CLI start-up (median of ${r.cli_startup.runs}): node -e 0 / lookout --help / blind lookout check | ${ms(r.cli_startup.node_bare.wall_ms)} / ${ms(r.cli_startup.help.wall_ms)} / ${ms(r.cli_startup.blind_check.wall_ms)} |`,
    `| CLI peak RSS: node -e 0 / lookout --help / blind lookout check | ${mib(r.cli_startup.node_bare.peak_rss_bytes)} / ${mib(r.cli_startup.help.peak_rss_bytes)} / ${mib(r.cli_startup.blind_check.peak_rss_bytes)} |`,
    `| check evaluation, one core | ${r.eval_snapshots_per_sec.toLocaleString("en-US")} stream snapshots/s |`,
    `| monthly AWS cost, S = 10,000, every slice each minute | $${r.monthly_cost_usd_10000.toFixed(2)} |`,
    ...((r as Partial<BenchReport>).consumers_history_items_at_20000 === undefined
      ? []
      : [
          `| DynamoDB items a consumers run writes at 20,000 consumers | ${r.consumers_history_items_at_20000} (${r.consumers_history_items_at_20000_source}) |`,
        ]),
    `| peak RSS of the streams slice at S = 10,000 (straight-line estimate) vs function memory | ${mib(r.peak_rss_bytes_10000_estimate)} vs ${r.function_memory_mb} MB |`,
    ...((r as Partial<BenchReport>).consumers_peak_rss_bytes_10000_estimate === undefined
      ? []
      : [
          `| peak RSS of the consumers slice at S = 10,000 (40,000 consumers; straight-line estimate) vs function memory | ${mib(r.consumers_peak_rss_bytes_10000_estimate)} vs ${(r as Partial<BenchReport>).consumers_function_memory_mb ?? r.function_memory_mb} MB |`,
        ]),
  ];
  return [header, sep, ...body, ...once].join("\n");
}

/** The consumers slice's rows: the same cluster, once every stream has its consumers. */
function consumerRows(r: BenchReport): [string, (s: string) => string][] {
  // A report written before the consumers slice was measured has no such figures.
  if (!(r as Partial<BenchReport>).consumers_judged) return [];
  const wall = (w: Record<string, number>, c: Record<string, number>) => (s: string) => `${ms(w[s]!)} (${ms(c[s]!)})`;
  return [
    ["consumers judged (the consumers slice, same cluster)", (s) => String(r.consumers_judged[s])],
    [
      "consumers slice through runCheck (median) / over the raw fan-out",
      (s) => `${ms(r.consumers_check_ms[s]!)} / ${r.consumers_slice_over_raw_fanout[s]}x`,
    ],
    ["  of which CPU in the monitor", (s) => ms(r.consumers_check_cpu_ms[s]!)],
    ["raw JSZ fan-out with consumers (median; CPU)", wall(r.consumers_raw_fanout_ms, r.consumers_raw_fanout_cpu_ms)],
    ["naive loop, 1 CONSUMER.INFO per consumer (median; CPU)", wall(r.consumers_naive_ms, r.consumers_naive_cpu_ms)],
    ["consumers speedup vs naive (bare loopback)", (s) => `${r.consumers_speedup_vs_naive[s]}x`],
    ["consumers slice, runSlice + DynamoDB (median; CPU)", wall(r.consumers_slice_ms, r.consumers_slice_cpu_ms)],
    [
      "NATS requests per consumers run: slice / raw / naive",
      (s) =>
        `${r.consumers_nats_requests_per_run[s]} / ${r.consumers_raw_requests_per_run[s]} / ${r.consumers_naive_requests_per_run[s]}`,
    ],
    [
      "NATS bytes received per consumers run: slice gzip (JSON) / naive",
      (s) =>
        `${kb(r.consumers_nats_bytes_received_per_run[s]!)} (${kb(r.consumers_nats_json_bytes_per_run[s]!)}) / ${kb(r.consumers_naive_bytes_received_per_run[s]!)}`,
    ],
    [
      "DynamoDB items / write / read units per consumers run",
      (s) =>
        `${r.consumers_ddb_items_written_per_run[s]} / ${r.consumers_ddb_write_units_per_run[s]} / ${r.consumers_ddb_read_units_per_run[s]}`,
    ],
    [
      "consumers history bytes per run (gzip) / JSON",
      (s) => `${kb(r.consumers_history_bytes_per_run[s]!)} / ${kb(r.consumers_history_json_bytes_per_run[s]!)}`,
    ],
    ["findings per consumers run", (s) => String(r.consumers_findings_per_run[s])],
    [
      "peak RSS, consumers slice (baseline)",
      (s) => `${mib(r.consumers_peak_rss_bytes[s]!)} (${mib(r.consumers_baseline_rss_bytes[s]!)})`,
    ],
  ];
}

/** The servers slice by cluster size (fresh clusters without streams). */
export function renderServersTable(r: BenchReport): string {
  // A report written before the servers slice was measured has no such figures.
  const counts = ((r as Partial<BenchReport>).servers_counts ?? []).map(String);
  if (!counts.length) return "(servers slice not measured)";
  const rows: [string, (n: string) => string][] = [
    ["servers answered", (n) => String(r.servers_answered[n])],
    ["NATS requests per run", (n) => String(r.servers_slice_requests_per_run[n])],
    [
      "NATS bytes received per run (gzip) / JSON",
      (n) => `${kb(r.servers_slice_bytes_received_per_run[n]!)} / ${kb(r.servers_slice_json_bytes_per_run[n]!)}`,
    ],
    ["runs after the first (median; CPU)", (n) => `${ms(r.servers_slice_ms[n]!)} (${ms(r.servers_slice_cpu_ms[n]!)})`],
    [`first run (waits the ${r.servers_request_timeout} request timeout)`, (n) => ms(r.servers_slice_first_run_ms[n]!)],
    ["findings per run", (n) => String(r.servers_findings_per_run[n])],
    [
      "DynamoDB items / write units per run",
      (n) => `${r.servers_ddb_items_written_per_run[n]} / ${r.servers_ddb_write_units_per_run[n]}`,
    ],
  ];
  return [
    `| servers slice | ${counts.map((n) => `${n} servers`).join(" | ")} |`,
    `|---|${counts.map(() => "---:").join("|")}|`,
    ...rows.map(([name, f]) => `| ${name} | ${counts.map(f).join(" | ")} |`),
  ].join("\n");
}

export function renderBudgets(r: BenchReport): string {
  return [
    "| budget | target | measured | |",
    "|---|---|---|---|",
    ...r.budgets.map((b) => `| ${b.name} | ${b.budget} | ${b.measured} | ${b.met ? "met" : "**missed**"} |`),
  ].join("\n");
}
