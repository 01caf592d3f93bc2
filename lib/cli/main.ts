#!/usr/bin/env node
// lookout check | watch: the same slices as the Lambda functions, run from a terminal, cron or a
// Nagios scheduler, with the embedded file history. Every way `check` can end prints one status
// line first on stdout (NRPE shows only stdout) and exits with the code that status means.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadConfig } from "../config/load.ts";
import { natsLayer } from "../config/nats-context.ts";
import type { LookoutConfig } from "../config/config.ts";
import { ConfigError } from "../errors.ts";
import { exitCodeOf, FORMATS, outcomeStatus, render, renderFailure, type Format } from "../output/render.ts";
import { parseDurationMs } from "../thresholds/duration.ts";
// check and watch (nats.js, the slices, history) load only when a command runs them: --help and
// --version read nothing else.
import type { runCheck } from "./check.ts";
import { writeAtomically } from "./outfile.ts";
import { COMMANDS, GENERAL_USAGE, isCommand } from "./usage.ts";

const UNKNOWN = 3;

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
}

const processIo: CliIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
};

export interface CliResult {
  code: number;
  /** Work the timeout abandoned is still pending: the process must exit rather than wait for it. */
  mustExit: boolean;
}

/** Set by the build (scripts/build.ts); from the sources, package.json is read instead. */
declare const __LOOKOUT_VERSION__: string | undefined;

function version(): string {
  if (typeof __LOOKOUT_VERSION__ === "string") return __LOOKOUT_VERSION__;
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
  return pkg.version ?? "unknown";
}

function configFrom(str: (k: string) => string | undefined, env: CliIo["env"], stderr: CliIo["stderr"]): LookoutConfig {
  const layer = natsLayer({
    servers: str("server"),
    user: str("user"),
    password: str("password"),
    creds: str("creds"),
    nkey: str("nkey"),
    ca: str("tlsca"),
    cert: str("tlscert"),
    key: str("tlskey"),
  });
  const context = str("context");
  const c = loadConfig(str("config"), env, context === undefined ? { layer } : { layer, context });
  for (const w of c.warnings ?? []) stderr(`lookout: warning: ${w}\n`);
  const history = str("history");
  if (history) c.history = { kind: "file", dir: history };
  return c;
}

const firstLine = (e: unknown): string =>
  e instanceof ConfigError
    ? `invalid configuration: ${e.problems[0] ?? ""}${e.problems.length > 1 ? ` (and ${e.problems.length - 1} more)` : ""}`
    : String((e as Error)?.message ?? e).split("\n")[0]!;

export async function main(argv: string[], io: CliIo = processIo): Promise<CliResult> {
  const [cmd, ...rest] = argv;
  const done = (code: number): CliResult => ({ code, mustExit: false });
  if (cmd === "--version" || cmd === "-V" || cmd === "version") {
    io.stdout(`nats-lookout ${version()}\n`);
    return done(0);
  }
  if (cmd === "--help" || cmd === "-h" || cmd === "help") {
    io.stdout(`${GENERAL_USAGE}\n`);
    return done(0);
  }
  if (!isCommand(cmd)) {
    io.stdout(`LOOKOUT UNKNOWN: ${cmd ? `unknown command "${cmd}"` : "no command given"} (lookout --help)\n`);
    io.stderr(`${GENERAL_USAGE}\n`);
    return done(UNKNOWN);
  }
  const spec = COMMANDS[cmd];
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: rest, options: spec.options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    io.stdout(`LOOKOUT UNKNOWN: ${(e as Error).message.split("\n")[0]}\n`);
    io.stderr(`${spec.usage}\n`);
    return done(UNKNOWN);
  }
  if (values.help) {
    io.stdout(`${spec.usage}\n`);
    return done(0);
  }
  const str = (k: string) => (typeof values[k] === "string" ? values[k] : undefined);
  return cmd === "check" ? check(str, Boolean(values.verbose), io) : watch(str, Boolean(values.verbose), io);
}

async function check(str: (k: string) => string | undefined, verbose: boolean, io: CliIo): Promise<CliResult> {
  const format = (str("format") ?? "text") as Format;
  const fail = (message: string, details?: string): CliResult => {
    io.stdout(renderFailure(FORMATS.includes(format) ? format : "text", message));
    if (details) io.stderr(`${details}\n`);
    return { code: UNKNOWN, mustExit: false };
  };
  if (!FORMATS.includes(format))
    return fail(`--format: expected one of ${FORMATS.join(", ")}, got "${format}"`, COMMANDS.check.usage);
  const outfile = str("outfile");
  if (outfile && format !== "prometheus") return fail("--outfile goes with --format prometheus", COMMANDS.check.usage);
  let timeoutMs: number | undefined;
  const timeout = str("timeout");
  if (timeout !== undefined) {
    const ms = parseDurationMs(timeout);
    if (ms instanceof Error || ms <= 0)
      return fail(`--timeout: expected a positive duration such as 9s, got "${timeout}"`, COMMANDS.check.usage);
    timeoutMs = ms;
  }
  let config: LookoutConfig;
  try {
    config = configFrom(str, io.env, io.stderr);
  } catch (e) {
    return fail(firstLine(e), e instanceof ConfigError ? e.message : undefined);
  }
  let result: Awaited<ReturnType<typeof runCheck>>;
  try {
    const { runCheck } = await import("./check.ts");
    result = await runCheck(config, str("slice") ?? "all", {
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      onHistory: (where) => verbose && io.stderr(`lookout: history in ${where}\n`),
    });
  } catch (e) {
    return fail(firstLine(e), e instanceof ConfigError ? e.message : undefined);
  }
  for (const p of result.problems) io.stderr(`lookout: ${p}\n`);
  for (const r of result.reports) for (const e of r.errors) io.stderr(`lookout: ${r.slice}: ${e}\n`);
  const text = render(format, result);
  const mustExit = result.abandoned;
  if (format === "prometheus") {
    // The status is in the metrics (lookout_status), as `nats server check` does it.
    if (!outfile) {
      io.stdout(text);
      return { code: 0, mustExit };
    }
    try {
      writeAtomically(outfile, text);
    } catch (e) {
      io.stdout(`LOOKOUT UNKNOWN: cannot write ${outfile}: ${(e as Error).message}\n`);
      return { code: UNKNOWN, mustExit };
    }
    if (verbose) io.stderr(`lookout: wrote ${outfile} (status ${outcomeStatus(result)})\n`);
    return { code: 0, mustExit };
  }
  io.stdout(text);
  return { code: exitCodeOf(result), mustExit };
}

async function watch(str: (k: string) => string | undefined, verbose: boolean, io: CliIo): Promise<CliResult> {
  try {
    const config = configFrom(str, io.env, io.stderr);
    const { runWatch } = await import("./watch.ts");
    await runWatch(config, { verbose, err: io.stderr, color: colorFor(io.env) });
    return { code: 0, mustExit: false };
  } catch (e) {
    io.stderr(`lookout: ${e instanceof ConfigError ? e.message : (e as Error).message}\n`);
    return { code: UNKNOWN, mustExit: false };
  }
}

/** Colour on a terminal only, and never with NO_COLOR set to anything non-empty. */
export const colorFor = (env: CliIo["env"]): boolean => Boolean(process.stdout.isTTY) && !env.NO_COLOR;

const isEntry = process.argv[1] && /lib[\\/]cli[\\/]main\.(ts|js)$/.test(process.argv[1]);
if (isEntry) {
  const r = await main(process.argv.slice(2));
  if (r.mustExit) process.stdout.write("", () => process.exit(r.code));
  else process.exitCode = r.code;
}
