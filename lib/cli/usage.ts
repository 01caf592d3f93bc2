// The commands, their flags and their help text, in one place: `lookout <cmd> --help` prints the
// command's own usage, and a flag another command takes is an error here, not silently ignored.
import type { ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The `nats` CLI's connection flags, with its names. */
const connection: Options = {
  server: { type: "string", short: "s" },
  user: { type: "string" },
  password: { type: "string" },
  creds: { type: "string" },
  nkey: { type: "string" },
  tlscert: { type: "string" },
  tlskey: { type: "string" },
  tlsca: { type: "string" },
  context: { type: "string" },
};

const common: Options = {
  ...connection,
  config: { type: "string" },
  history: { type: "string" },
  verbose: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
};

const CONNECTION_FLAGS = `
connection (as the nats CLI: flags > environment > the selected nats context):
  -s, --server URLS   NATS_URL       --user USER (alone: a token)   NATS_USER
  --password PASS     NATS_PASSWORD  --creds FILE                   NATS_CREDS
  --nkey FILE         NATS_NKEY      --tlscert FILE / --tlskey FILE NATS_CERT / NATS_KEY
  --tlsca FILE        NATS_CA        --context NAME|FILE            NATS_CONTEXT`;

export const COMMANDS = {
  check: {
    options: {
      ...common,
      slice: { type: "string" },
      format: { type: "string" },
      timeout: { type: "string" },
      outfile: { type: "string" },
    } satisfies Options,
    usage: `usage: lookout check [--slice meta|streams|consumers|servers|all] [--format text|json|nagios|prometheus]
                     [--timeout DURATION] [--outfile FILE] [--config FILE] [--history DIR] [--verbose]

Runs every selected slice once against the cluster, with history (flaps, stalls and resolutions
need earlier runs), and exits as a monitoring plugin does: 0 ok, 1 warning, 2 critical,
3 unknown (the monitor is blind, misconfigured or could not finish). The first line of stdout is
always the status (LOOKOUT OK|WARNING|CRITICAL|UNKNOWN: ...), except for --format json (a
document with "schema" and "status") and prometheus.

  --slice       which slices (default: all that are enabled)
  --format      text (default), json, nagios (perfdata after |), prometheus (textfile collector)
  --timeout     the whole check ends inside this (e.g. 9s), saying what it could not do
  --outfile     with --format prometheus: write the metrics there atomically and exit 0
  --config      JSON configuration file (thresholds, history, notifiers, connection)
  --history     history folder (default: $XDG_STATE_HOME/nats-lookout, else ~/.local/state/nats-lookout)
  --verbose     say on stderr which history the run used and what it skipped
${CONNECTION_FLAGS}`,
  },
  watch: {
    options: common,
    usage: `usage: lookout watch [--config FILE] [--history DIR] [--verbose]

Runs each enabled slice on its schedule until interrupted, printing alerts as they open, repeat
and resolve. Errors go to stderr. Colour only on a terminal and never with NO_COLOR set.
${CONNECTION_FLAGS}`,
  },
} as const;

export type CommandName = keyof typeof COMMANDS;

export const GENERAL_USAGE = `usage: lookout <command> [flags]      (lookout <command> --help for its flags)

commands:
  check     run the checks once, as a Nagios/NRPE/Icinga plugin, cron job or textfile exporter
  watch     run the checks on a schedule, alerts in the terminal

  lookout --version

Connection settings come from NATS_URL (nats://host:4222, host:4222, localhost; user info in the
URL is accepted as credentials), NATS_USER, NATS_PASSWORD (a lone NATS_USER is a token),
NATS_TOKEN, NATS_CREDS, NATS_NKEY, NATS_CA, NATS_CERT, NATS_KEY; --config FILE (JSON) overrides
them and holds everything else.`;

export const isCommand = (s: string | undefined): s is CommandName => s !== undefined && Object.hasOwn(COMMANDS, s);
