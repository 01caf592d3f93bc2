// The benchmark runs end to end on a small S (a real 3-node cluster and moto_server on 127.0.0.1)
// and its report has every figure the issue names. No timing is asserted: timings belong to the
// benchmark's own budgets, measured on a full run (bench/results/latest.json).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BenchReport } from "../../bench/report.ts";
import { projectRoot } from "../../lib/testbed/servers.ts";

const run = promisify(execFile);
const S = "20";
const dir = mkdtempSync(join(tmpdir(), "lookout-bench-test-"));
const out = join(dir, "report.json");
let report: BenchReport;
let stdout = "";

beforeAll(async () => {
  const tsx = join(projectRoot, "node_modules", ".bin", "tsx");
  const r = await run(
    tsx,
    [
      "bench/run.ts",
      "--sizes",
      S,
      "--runs",
      "1",
      "--init-runs",
      "1",
      "--eval-seconds",
      "0.5",
      "--cli-runs",
      "2",
      "--out",
      out,
    ],
    { cwd: projectRoot, timeout: 580_000, maxBuffer: 8 << 20 },
  );
  stdout = r.stdout;
  report = JSON.parse(readFileSync(out, "utf8")) as BenchReport;
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const finite = (v: unknown) => typeof v === "number" && Number.isFinite(v);

describe("Benchmark: bench/run.ts on a small S", () => {
  it("reports every per-S figure for the S it ran", () => {
    for (const key of [
      "speedup_vs_naive",
      "nats_requests_per_run",
      "ddb_items_written_per_run",
      "peak_rss_bytes",
      "streams_slice_ms",
      "naive_ms",
      "meta_slice_ms",
      "nats_bytes_received_per_run",
      "nats_json_bytes_per_run",
      "history_bytes_per_run",
      "ddb_write_units_per_run",
      "ddb_read_units_per_run",
      "naive_requests_per_run",
      "speedup_vs_naive_rtt",
      "streams_slice_rtt_ms",
      "naive_rtt_ms",
      "rtt_measured_ms",
      "retained_heap_bytes",
      "raw_fanout_ms",
      "streams_check_ms",
      "streams_slice_over_raw_fanout",
    ] as const) {
      const byS = report[key];
      expect(Object.keys(byS), key).toEqual([S]);
      expect(finite(byS[S]), key).toBe(true);
      expect(byS[S], key).toBeGreaterThan(0);
    }
  });

  it("reports every consumers-slice figure for the S it ran: the slice, its raw fan-out and the naive loop", () => {
    for (const key of [
      "consumers_judged",
      "consumers_check_ms",
      "consumers_check_cpu_ms",
      "consumers_raw_fanout_ms",
      "consumers_raw_fanout_cpu_ms",
      "consumers_naive_ms",
      "consumers_naive_cpu_ms",
      "consumers_slice_over_raw_fanout",
      "consumers_speedup_vs_naive",
      "consumers_slice_ms",
      "consumers_slice_cpu_ms",
      "consumers_nats_requests_per_run",
      "consumers_raw_requests_per_run",
      "consumers_naive_requests_per_run",
      "consumers_nats_bytes_received_per_run",
      "consumers_nats_json_bytes_per_run",
      "consumers_raw_bytes_received_per_run",
      "consumers_naive_bytes_received_per_run",
      "consumers_ddb_items_written_per_run",
      "consumers_ddb_write_units_per_run",
      "consumers_ddb_read_units_per_run",
      "consumers_history_bytes_per_run",
      "consumers_history_json_bytes_per_run",
      "consumers_peak_rss_bytes",
      "consumers_baseline_rss_bytes",
    ] as const) {
      const byS = report[key];
      expect(Object.keys(byS), key).toEqual([S]);
      expect(finite(byS[S]), key).toBe(true);
      expect(byS[S], key).toBeGreaterThan(0);
    }
    expect(Object.keys(report.consumers_findings_per_run)).toEqual([S]);
    expect(finite(report.consumers_findings_per_run[S])).toBe(true);
    expect(finite(report.consumers_history_items_at_20000)).toBe(true);
    expect(report.consumers_peak_rss_bytes_10000_estimate).toBeGreaterThan(0);
    expect(report.consumers_history_items_at_20000_source).toMatch(/20,000 consumers/);
  });

  it("gives every stream four consumers, R3 and R1, some with messages pending, and judges all of them", () => {
    const fill = report.workload[S]!.consumer_fill;
    expect(fill.consumers).toBe(4 * Number(S));
    expect(fill.r3).toBeGreaterThan(0);
    expect(fill.r1).toBeGreaterThan(0);
    expect(fill.r3 + fill.r1).toBe(fill.consumers);
    expect(fill.streams_with_pending).toBeGreaterThan(0);
    expect(fill.streams_with_pending).toBeLessThan(Number(S));
    // The streams fill's own consumers come on top of the four a stream.
    expect(report.consumers_judged[S]).toBe(fill.consumers + report.workload[S]!.consumers);
  });

  it("holds the consumers slice's requests to the collector's own, and the naive loop to one INFO per consumer", () => {
    expect(report.consumers_nats_requests_per_run[S]).toBe(report.consumers_raw_requests_per_run[S]);
    // Stream names per account, consumer names per stream, one INFO per consumer.
    expect(report.consumers_naive_requests_per_run[S]).toBeGreaterThanOrEqual(
      report.consumers_judged[S]! + Number(S) + report.workload[S]!.accounts.length,
    );
    for (const name of [
      "NATS requests per consumers run (system mode)",
      "DynamoDB items written per consumers run at 20,000 consumers",
      "consumers slice through runCheck vs the raw JSZ fan-out with consumers",
    ])
      expect(
        report.budgets.some((b) => b.name.startsWith(name)),
        name,
      ).toBe(true);
    expect(stdout).toMatch(/\| consumers slice through runCheck \(median\) \/ over the raw fan-out \|/);
    expect(stdout).toMatch(/\| naive loop, 1 CONSUMER\.INFO per consumer \(median; CPU\) \|/);
  });

  it("reports the servers slice's requests, bytes and time at 3 and 9 servers", () => {
    expect(report.servers_counts).toEqual([3, 9]);
    for (const n of ["3", "9"]) {
      expect(report.servers_answered[n], n).toBe(Number(n));
      for (const key of [
        "servers_slice_requests_per_run",
        "servers_slice_bytes_received_per_run",
        "servers_slice_json_bytes_per_run",
        "servers_slice_ms",
        "servers_slice_cpu_ms",
        "servers_slice_first_run_ms",
        "servers_ddb_items_written_per_run",
        "servers_ddb_write_units_per_run",
        "servers_history_bytes_per_run",
      ] as const) {
        expect(finite(report[key][n]), `${key} ${n}`).toBe(true);
        expect(report[key][n], `${key} ${n}`).toBeGreaterThan(0);
      }
      expect(finite(report.servers_findings_per_run[n])).toBe(true);
    }
    // More servers, more to read; the requests stay a handful whatever the count.
    expect(report.servers_slice_bytes_received_per_run["9"]).toBeGreaterThan(
      report.servers_slice_bytes_received_per_run["3"]!,
    );
    expect(report.servers_slice_requests_per_run["9"]).toBe(report.servers_slice_requests_per_run["3"]);
    expect(stdout).toMatch(/\| servers slice \| 3 servers \| 9 servers \|/);
  });

  it("measures both sides again through relays that add the default 1 ms round trip, and says so", () => {
    expect(report.rtt_ms).toBe(1);
    expect(report.budgets.some((b) => /round trip/.test(b.name))).toBe(true);
    expect(report.budgets.some((b) => /bare loopback/.test(b.name))).toBe(true);
    expect(stdout).toMatch(/\| speedup vs naive, 1 ms round trip added \|/);
  });

  it("holds the streams slice against the raw leader-only JSZ fan-out of the same run, and says so", () => {
    expect(report.budgets.some((b) => /raw leader-only JSZ fan-out/.test(b.name))).toBe(true);
    expect(stdout).toMatch(/\| streams slice through runCheck \(median\) \/ over the raw fan-out \|/);
  });

  it("counts the naive way as one STREAM.INFO per stream, and the slice's requests against their budget", () => {
    expect(report.naive_requests_per_run[S]).toBeGreaterThanOrEqual(Number(S));
    expect(report.nats_requests_budget[S]).toBeGreaterThan(0);
  });

  it("reports bundle size and module initialisation for every function", () => {
    for (const f of ["consumers", "meta", "servers", "streams"]) {
      expect(report.bundle_bytes[f]).toBeGreaterThan(10_000);
      expect(finite(report.init_ms[f])).toBe(true);
    }
  });

  it("reports the compiled CLI's start-up beside bare node: wall time and peak RSS of --help and a blind check", () => {
    const c = report.cli_startup;
    expect(c.runs).toBe(2);
    for (const f of [c.node_bare, c.help, c.blind_check]) {
      expect(finite(f.wall_ms)).toBe(true);
      expect(f.peak_rss_bytes).toBeGreaterThan(1 << 20);
      expect(f.runs_ms).toHaveLength(2);
    }
    expect(finite(c.help_over_node)).toBe(true);
    expect(c.blind_check.exit_code).toBe(3);
    expect(c.blind_check.first_line).toMatch(/^LOOKOUT UNKNOWN: monitor is blind: /);
    expect(report.budgets.some((b) => /lookout --help/.test(b.name))).toBe(true);
    expect(stdout).toMatch(/\| CLI start-up \(median of 2\): node -e 0 \/ lookout --help \/ blind lookout check \|/);
  });

  it("reports evaluation throughput, the monthly cost with its prices, and the networking options", () => {
    expect(report.eval_snapshots_per_sec).toBeGreaterThan(0);
    const costed = report.cost_model.inputs.slices.map((s) => s.slice);
    expect(costed).toEqual(["streams", "meta", "consumers", "servers"]);
    for (const s of report.cost_model.inputs.slices) {
      expect(s.lambdaMs, s.slice).toBeGreaterThan(0);
      expect(s.writeUnitsPerRun, s.slice).toBeGreaterThan(0);
    }
    expect(finite(report.monthly_cost_usd_10000)).toBe(true);
    expect(report.monthly_cost_usd_10000).toBeGreaterThan(0);
    expect(report.prices.region).toBe("us-east-1");
    expect(report.prices.lambda.usdPerGbSecond).toBeGreaterThan(0);
    const options = report.networking.map((n) => n.option).join("\n");
    expect(options).toMatch(/NAT/);
    expect(options).toMatch(/interface endpoints/);
    expect(report.networking.find((n) => /DynamoDB gateway/.test(n.option))?.usdPerMonth).toBe(0);
  });

  it("holds every budget against a measured figure and prints one table", () => {
    expect(report.budgets.length).toBeGreaterThanOrEqual(8);
    for (const b of report.budgets) expect(b.measured, b.name).not.toBe("");
    expect(stdout).toMatch(/\| streams slice, end to end/);
    expect(stdout).toMatch(/\| budget \| target \| measured/);
  });
});
