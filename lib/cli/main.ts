#!/usr/bin/env node
// lookout check | watch: the same slices as the Lambda functions, run from a terminal, cron or a
// Nagios scheduler, with the embedded file history.
import { parseArgs } from "node:util";
import { ConfigError } from "../errors.ts";
import { loadConfig } from "../config/load.ts";
import type { LookoutConfig } from "../config/config.ts";
import { FORMATS, render, exitCode, type Format } from "../output/render.ts";
import { runCheck } from "./check.ts";
import { runWatch } from "./watch.ts";

const USAGE = `usage:
  lookout check [--slice meta|streams|all] [--format text|json|nagios|prometheus] [--config FILE] [--history DIR]
  lookout watch [--config FILE] [--history DIR] [--verbose]

Connection settings come from NATS_URL, NATS_USER, NATS_PASSWORD, NATS_TOKEN, NATS_CREDS, NATS_NKEY,
NATS_CA, NATS_CERT, NATS_KEY; --config FILE (JSON) overrides them and holds everything else.
check exits 0 ok, 1 warning, 2 critical, 3 unknown (the monitor is blind or failed).`;

function configFrom(values: { config?: string | undefined; history?: string | undefined }): LookoutConfig {
  const c = loadConfig(values.config);
  if (values.history) c.history = { kind: "file", dir: values.history };
  return c;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "help" || cmd === "--help" || cmd === "-h") {
    process.stdout.write(USAGE + "\n");
    return cmd ? 0 : 3;
  }
  try {
    const { values } = parseArgs({
      args: rest,
      options: {
        slice: { type: "string", default: "all" },
        format: { type: "string", default: "text" },
        config: { type: "string" },
        history: { type: "string" },
        verbose: { type: "boolean", default: false },
      },
      strict: true,
    });
    if (cmd === "check") {
      if (!FORMATS.includes(values.format as Format)) throw new ConfigError([`--format: expected one of ${FORMATS.join(", ")}, got "${values.format}"`]);
      const config = configFrom(values);
      const reports = await runCheck(config, values.slice ?? "all");
      process.stdout.write(render(values.format as Format, reports));
      for (const r of reports) for (const e of r.errors) process.stderr.write(`lookout: ${r.slice}: ${e}\n`);
      const code = exitCode(reports);
      return code === 0 && reports.some((r) => r.errors.length) ? 3 : code;
    }
    if (cmd === "watch") {
      await runWatch(configFrom(values), { verbose: values.verbose ?? false });
      return 0;
    }
    process.stderr.write(`lookout: unknown command "${cmd}"\n${USAGE}\n`);
    return 3;
  } catch (e) {
    process.stderr.write(`lookout: ${(e as Error).message}\n`);
    return 3;
  }
}

const isEntry = process.argv[1] && /lib[\\/]cli[\\/]main\.(ts|js)$/.test(process.argv[1]);
if (isEntry) process.exitCode = await main(process.argv.slice(2));
