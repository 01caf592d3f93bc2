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
    { cwd: projectRoot, timeout: 280_000, maxBuffer: 8 << 20 },
  );
  stdout = r.stdout;
  report = JSON.parse(readFileSync(out, "utf8")) as BenchReport;
}, 300_000);
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
    for (const f of ["meta", "streams"]) {
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
