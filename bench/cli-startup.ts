// Start-up of the compiled CLI as a user runs it (bin/lookout.js -> dist/cli.js, plain node, no
// tsx): `lookout --help` and a blind `lookout check` (nothing listens on 127.0.0.1:1) against bare
// `node -e 0`, interleaved round by round in the same run so they share the machine's load; wall
// time from spawn to exit and the child's peak RSS (GNU time's %M), medians.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { projectRoot } from "../lib/testbed/servers.ts";
import type { Budget } from "./report.ts";
import { median, round } from "./stats.ts";

const run = promisify(execFile);
const GNU_TIME = "/usr/bin/time";

export interface StartupFigures {
  /** Median wall time, spawn to exit. */
  wall_ms: number;
  /** Median peak resident set size of the process. */
  peak_rss_bytes: number;
  runs_ms: number[];
}

export interface CliStartup {
  runs: number;
  command: string;
  node_bare: StartupFigures;
  help: StartupFigures;
  blind_check: StartupFigures & { exit_code: number; first_line: string };
  /** help / node_bare wall time (the budget: <= 2). */
  help_over_node: number;
  /** Set when measured on its own (`bench/run.ts --only cli`), apart from the report's other figures. */
  measured_at?: string;
}

interface Sample {
  ms: number;
  rssBytes: number;
  code: number;
  stdout: string;
}

async function once(args: string[], env: Record<string, string>): Promise<Sample> {
  const t0 = performance.now();
  let code = 0;
  let stdout: string;
  let stderr: string;
  try {
    ({ stdout, stderr } = await run(GNU_TIME, ["-f", "%M", "--", process.execPath, ...args], { env, timeout: 60_000 }));
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    code = typeof x.code === "number" ? x.code : -1;
    stdout = x.stdout ?? "";
    stderr = x.stderr ?? "";
  }
  const ms = performance.now() - t0;
  // GNU time writes "Command exited with non-zero status N" before the figure when the code is not 0.
  const kb = Number(stderr.trim().split("\n").pop());
  if (!Number.isFinite(kb))
    throw new Error(`${GNU_TIME} gave no peak RSS for node ${args.join(" ")}: ${stderr.slice(-400)}`);
  return { ms, rssBytes: kb * 1024, code, stdout };
}

const figures = (xs: Sample[]): StartupFigures => ({
  wall_ms: Math.round(median(xs.map((x) => x.ms)) * 10) / 10,
  peak_rss_bytes: median(xs.map((x) => x.rssBytes)),
  runs_ms: xs.map((x) => Math.round(x.ms * 10) / 10),
});

/** The budget row: `lookout --help` within 2x of bare node. */
export const cliBudget = (c: CliStartup): Budget => ({
  name: "`lookout --help` wall time, compiled CLI vs `node -e 0` in the same run",
  budget: "<= 2x bare node",
  measured: `${c.help_over_node}x (${c.help.wall_ms} ms vs ${c.node_bare.wall_ms} ms; peak RSS ${round(c.help.peak_rss_bytes / 2 ** 20, 1)} vs ${round(c.node_bare.peak_rss_bytes / 2 ** 20, 1)} MiB)`,
  met: c.help_over_node <= 2,
});

export async function measureCliStartup(runs: number, log: (s: string) => void): Promise<CliStartup> {
  if (!existsSync(GNU_TIME))
    throw new Error(`${GNU_TIME} (GNU time) is needed for the CLI's peak RSS: apt-get install time`);
  const { buildCli } = await import("../scripts/build.ts");
  await buildCli();
  const bin = join(projectRoot, "bin", "lookout.js");
  const home = mkdtempSync(join(tmpdir(), "lookout-bench-cli-"));
  const env = { PATH: process.env.PATH ?? "", HOME: home, LANG: "C" };
  const blindEnv = { ...env, NATS_URL: "nats://127.0.0.1:1", XDG_STATE_HOME: join(home, "state") };
  const bare: Sample[] = [];
  const help: Sample[] = [];
  const blind: Sample[] = [];
  try {
    log(`cli start-up: node -e 0, lookout --help, blind lookout check; ${runs} rounds after a warm-up`);
    for (let i = 0; i <= runs; i++) {
      const b = await once(["-e", "0"], env);
      const h = await once([bin, "--help"], env);
      const c = await once([bin, "check", "--format", "nagios", "--timeout", "9s"], blindEnv);
      if (h.code !== 0 || !h.stdout.startsWith("usage: lookout"))
        throw new Error(`lookout --help failed (exit ${h.code}): ${h.stdout.slice(0, 200)}`);
      if (c.code !== 3)
        throw new Error(`a blind lookout check should exit 3 (UNKNOWN), got ${c.code}: ${c.stdout.slice(0, 200)}`);
      if (i === 0) continue; // warm-up: the file cache
      bare.push(b);
      help.push(h);
      blind.push(c);
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  const nodeBare = figures(bare);
  const helpFigures = figures(help);
  return {
    runs,
    command: "node bin/lookout.js (imports dist/cli.js)",
    node_bare: nodeBare,
    help: helpFigures,
    blind_check: {
      ...figures(blind),
      exit_code: blind.at(-1)!.code,
      first_line: blind.at(-1)!.stdout.split("\n")[0] ?? "",
    },
    help_over_node: Math.round((helpFigures.wall_ms / nodeBare.wall_ms) * 100) / 100,
  };
}
