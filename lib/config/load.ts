// Configuration from the environment (connection settings named as the `nats` CLI names them) and
// an optional JSON file (everything else; its connection settings win). Every problem is collected
// and reported at once, naming the key and the bad value.
import { readFileSync } from "node:fs";
import { CHECKS, isCheckId } from "../checks/catalog.ts";
import { flapScheduleProblem } from "../checks/meta.ts";
import { ALWAYS_ON, SEVERITY_CHOICES, type SeverityChoice, type SeverityPolicy } from "../checks/severity.ts";
import { isObj, type Obj } from "../core/guards.ts";
import { ConfigError } from "../errors.ts";
import { Validator } from "./validator.ts";
import { finishConnection } from "./connection.ts";
import { natsFromContext, natsFromEnv, overlay, type NatsLayer } from "./nats-context.ts";

export { natsFromEnv };

/** Connection settings given on the command line, the `nats` CLI's flags. */
export interface CliConnection {
  /** `-s/--server`, `--user`, `--password`, `--creds`, `--nkey`, `--tlscert`, `--tlskey`, `--tlsca`. */
  layer: NatsLayer;
  /** `--context`: a `nats` context name or file. */
  context?: string;
}
import { readConfigThresholds } from "../thresholds/config.ts";
import { validateMonitorValues } from "../thresholds/monitor-keys.ts";
import { validateConsumerValues, type ConsumerOverride } from "../thresholds/consumer-keys.ts";
import {
  DEFAULT_CONFIG,
  SYSTEM_ACCOUNT_SLICES,
  type HistoryConfig,
  type LookoutConfig,
  type MonitorValues,
  type NatsConnectionConfig,
  type NotifierConfig,
  type StreamOverride,
} from "./config.ts";

type Env = Record<string, string | undefined>;

/** `io.nats.monitor.*` values (prefix optional) as text, for the one threshold parser. */
function readValues(r: Validator, o: Obj, key: string, path: string): MonitorValues | undefined {
  const v = r.obj(o, key, path);
  if (!v) return undefined;
  const out: MonitorValues = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === "string" || typeof x === "number" || typeof x === "boolean")
      out[k.replace(/^io\.nats\.monitor\./, "")] = String(x);
    else r.bad(`${path}.${k}`, `expected a string or number, got ${JSON.stringify(x)}`);
  }
  return out;
}

function readNats(r: Validator, o: Obj | undefined): Partial<NatsConnectionConfig> {
  if (!o) return {};
  r.known(o, "nats", ["servers", "user", "password", "token", "creds", "nkey", "tls"]);
  const out: Partial<NatsConnectionConfig> = {};
  const servers = r.strings(o, "servers", "nats.servers", { commaText: true });
  if (servers) out.servers = servers;
  for (const k of ["user", "password", "token", "creds", "nkey"] as const) {
    const v = r.str(o, k, `nats.${k}`);
    if (v !== undefined) out[k] = v;
  }
  const tls = r.obj(o, "tls", "nats.tls");
  if (tls) {
    r.known(tls, "nats.tls", ["ca", "cert", "key"]);
    out.tls = {};
    for (const k of ["ca", "cert", "key"] as const) {
      const v = r.str(tls, k, `nats.tls.${k}`);
      if (v !== undefined) out.tls[k] = v;
    }
  }
  return out;
}

function readHistory(r: Validator, o: Obj | undefined): HistoryConfig | undefined {
  if (!o) return undefined;
  const kind = r.str(o, "kind", "history.kind");
  if (kind === "file") {
    r.known(o, "history", ["kind", "dir"]);
    const dir = r.str(o, "dir", "history.dir");
    return dir ? { kind, dir } : { kind };
  }
  if (kind === "dynamodb") {
    r.known(o, "history", ["kind", "table", "ttlDays", "region", "endpoint"]);
    const table = r.str(o, "table", "history.table");
    if (!table) r.problems.push("history.table: required for kind dynamodb");
    const h: HistoryConfig = { kind, table: table ?? "", ttlDays: r.int(o, "ttlDays", "history.ttlDays", 1) ?? 14 };
    const region = r.str(o, "region", "history.region");
    const endpoint = r.str(o, "endpoint", "history.endpoint");
    if (region) h.region = region;
    if (endpoint) h.endpoint = endpoint;
    return h;
  }
  r.problems.push(`history.kind: expected "file" or "dynamodb", got ${JSON.stringify(o.kind)}`);
  return undefined;
}

function readNotify(r: Validator, v: unknown): NotifierConfig[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) return void r.problems.push(`notify: expected a list, got ${JSON.stringify(v)}`);
  const out: NotifierConfig[] = [];
  v.forEach((n, i) => {
    const path = `notify[${i}]`;
    if (!isObj(n)) return void r.problems.push(`${path}: expected an object`);
    const kind = n.kind;
    if (kind === "terminal") {
      r.known(n, path, ["kind", "color"]);
      const color = r.bool(n, "color", `${path}.color`);
      out.push(color === undefined ? { kind } : { kind, color });
    } else if (kind === "jsonl") {
      r.known(n, path, ["kind", "file"]);
      const file = r.str(n, "file", `${path}.file`);
      if (!file) r.problems.push(`${path}.file: required for kind jsonl`);
      else out.push({ kind, file });
    } else if (kind === "sns") {
      r.known(n, path, ["kind", "topicArn", "region", "endpoint"]);
      const topicArn = r.str(n, "topicArn", `${path}.topicArn`);
      if (!topicArn || !/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+$/.test(topicArn))
        r.problems.push(`${path}.topicArn: expected an SNS topic ARN, got ${JSON.stringify(n.topicArn)}`);
      else {
        const c: NotifierConfig = { kind, topicArn };
        const region = r.str(n, "region", `${path}.region`);
        const endpoint = r.str(n, "endpoint", `${path}.endpoint`);
        if (region) c.region = region;
        if (endpoint) c.endpoint = endpoint;
        out.push(c);
      }
    } else r.problems.push(`${path}.kind: expected "terminal", "jsonl" or "sns", got ${JSON.stringify(kind)}`);
  });
  return out;
}

function readOverrides(r: Validator, v: unknown): StreamOverride[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) return void r.problems.push(`thresholds.streams.overrides: expected a list`);
  const out: StreamOverride[] = [];
  v.forEach((o, i) => {
    const path = `thresholds.streams.overrides[${i}]`;
    if (!isObj(o)) return void r.problems.push(`${path}: expected an object`);
    r.known(o, path, ["account", "stream", "values"]);
    const stream = r.str(o, "stream", `${path}.stream`) ?? "*";
    const account = r.str(o, "account", `${path}.account`);
    const values = readValues(r, o, "values", `${path}.values`) ?? {};
    out.push(account ? { account, stream, values } : { stream, values });
  });
  return out;
}

function readConsumerOverrides(r: Validator, v: unknown): ConsumerOverride[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) return void r.problems.push(`thresholds.consumers.overrides: expected a list`);
  const out: ConsumerOverride[] = [];
  v.forEach((o, i) => {
    const path = `thresholds.consumers.overrides[${i}]`;
    if (!isObj(o)) return void r.problems.push(`${path}: expected an object`);
    r.known(o, path, ["account", "stream", "consumer", "values"]);
    const ov: ConsumerOverride = { values: readValues(r, o, "values", `${path}.values`) ?? {} };
    for (const k of ["account", "stream", "consumer"] as const) {
      const glob = r.str(o, k, `${path}.${k}`);
      if (glob !== undefined) ov[k] = glob;
    }
    out.push(ov);
  });
  return out;
}

/** Builds a validated configuration from a parsed JSON document (may be `{}`) and the environment. */
export function buildConfig(
  doc: unknown,
  env: Env = process.env,
  source = "configuration",
  cli?: CliConnection,
): LookoutConfig {
  const r = new Validator(`${source}: `);
  const c: LookoutConfig = structuredClone(DEFAULT_CONFIG);
  const o: Obj = isObj(doc) ? doc : (r.problems.push(`${source}: expected a JSON object`), {});
  r.known(o, "", ["cluster", "nats", "mode", "slices", "thresholds", "alerts", "history", "notify", "timeouts"]);

  // flags > the configuration file > environment > nats context > defaults.
  const layers = [
    natsFromContext(cli?.context, env, r.problems),
    natsFromEnv(env),
    readNats(r, r.obj(o, "nats", "nats")),
    cli?.layer ?? {},
  ];
  c.nats = { ...c.nats, ...layers.reduce(overlay, {}) };
  const label = r.str(o, "cluster", "cluster");
  if (label) c.clusterLabel = label;
  const mode = o.mode;
  if (mode !== undefined) {
    if (mode === "system" || mode === "account") c.mode = mode;
    else r.problems.push(`mode: expected "system" or "account", got ${JSON.stringify(mode)}`);
  }

  const slices = r.obj(o, "slices", "slices");
  if (slices) {
    r.known(slices, "slices", Object.keys(c.slices));
    for (const name of Object.keys(c.slices) as (keyof LookoutConfig["slices"])[]) {
      const s = r.obj(slices, name, `slices.${name}`);
      if (!s) continue;
      r.known(s, `slices.${name}`, ["enabled", "every"]);
      const enabled = r.bool(s, "enabled", `slices.${name}.enabled`);
      if (enabled && c.mode === "account" && SYSTEM_ACCOUNT_SLICES.includes(name))
        r.problems.push(
          `slices.${name}.enabled: the ${name} slice needs the system account; mode "account" cannot run it`,
        );
      c.slices[name].enabled = enabled ?? c.slices[name].enabled;
      c.slices[name].everyMs = r.duration(s, "every", `slices.${name}.every`) ?? c.slices[name].everyMs;
    }
  }

  const th = r.obj(o, "thresholds", "thresholds");
  const warnings: string[] = [];
  if (th) {
    r.known(th, "thresholds", ["meta", "streams", "consumers", "servers"]);
    // One reader for every slice's thresholds (lib/thresholds/table.ts); stream values below.
    const m = r.obj(th, "meta", "thresholds.meta");
    if (m) readConfigThresholds(r, m, "meta", c.thresholds.meta, warnings);
    const s = r.obj(th, "streams", "thresholds.streams");
    if (s) {
      const st = c.thresholds.streams;
      readConfigThresholds(r, s, "streams", st, warnings, ["defaults", "overrides"]);
      const d = readValues(r, s, "defaults", "thresholds.streams.defaults");
      if (d) st.defaults = { ...st.defaults, ...d };
      st.overrides = readOverrides(r, s.overrides) ?? st.overrides;
      // Same parser as stream metadata: a bad configured value fails loading, not every stream's run.
      for (const p of validateMonitorValues(st.defaults)) r.problems.push(`thresholds.streams.defaults.${p}`);
      st.overrides.forEach((ov, i) => {
        for (const p of validateMonitorValues(ov.values))
          r.problems.push(`thresholds.streams.overrides[${i}].values.${p}`);
      });
    }
    const sv = r.obj(th, "servers", "thresholds.servers");
    if (sv) readConfigThresholds(r, sv, "servers", c.thresholds.servers, warnings);
    const cs = r.obj(th, "consumers", "thresholds.consumers");
    if (cs) {
      const ct = c.thresholds.consumers;
      readConfigThresholds(r, cs, "consumers", ct, warnings, ["defaults", "overrides"]);
      const d = readValues(r, cs, "defaults", "thresholds.consumers.defaults");
      if (d) ct.defaults = { ...ct.defaults, ...d };
      ct.overrides = readConsumerOverrides(r, cs.overrides) ?? ct.overrides;
      for (const p of validateConsumerValues(ct.defaults)) r.problems.push(`thresholds.consumers.defaults.${p}`);
      ct.overrides.forEach((ov, i) => {
        for (const p of validateConsumerValues(ov.values))
          r.problems.push(`thresholds.consumers.overrides[${i}].values.${p}`);
      });
    }
  }
  // META_003 must be able to fire at the schedule `lookout watch` runs the meta slice on.
  if (c.slices.meta.enabled) {
    const flap = flapScheduleProblem(c.slices.meta.everyMs, c.thresholds.meta);
    if (flap) r.problems.push(`${source}: ${flap}`);
  }

  const al = r.obj(o, "alerts", "alerts");
  if (al) {
    r.known(al, "alerts", ["remindAfter", "resolveAfterRuns", "claimLease", "severity"]);
    c.alerts.remindAfterMs = r.duration(al, "remindAfter", "alerts.remindAfter") ?? c.alerts.remindAfterMs;
    c.alerts.resolveAfterRuns =
      r.int(al, "resolveAfterRuns", "alerts.resolveAfterRuns", 1) ?? c.alerts.resolveAfterRuns;
    c.alerts.claimLeaseMs = r.duration(al, "claimLease", "alerts.claimLease") ?? c.alerts.claimLeaseMs;
    const sev = r.obj(al, "severity", "alerts.severity");
    if (sev) {
      const policy: SeverityPolicy = {};
      for (const [id, v] of Object.entries(sev)) {
        const at = `${source}: alerts.severity.${id}`;
        if (!isCheckId(id)) r.problems.push(`${at}: unknown check id (known: ${CHECKS.map((d) => d.id).join(", ")})`);
        else if (!(SEVERITY_CHOICES as readonly unknown[]).includes(v))
          r.problems.push(
            `${at}: expected ${SEVERITY_CHOICES.map((x) => `"${x}"`).join(", ")}, got ${JSON.stringify(v)}`,
          );
        else if (v === "off" && ALWAYS_ON.includes(id))
          r.problems.push(
            `${at}: cannot be "off": a monitor that cannot see must say so (route it with "warning" instead)`,
          );
        else policy[id] = v as SeverityChoice;
      }
      c.alerts.severity = policy;
    }
  }
  c.history = readHistory(r, r.obj(o, "history", "history")) ?? c.history;
  c.notify = readNotify(r, o.notify) ?? c.notify;
  const to = r.obj(o, "timeouts", "timeouts");
  if (to) {
    r.known(to, "timeouts", ["connect", "request"]);
    c.timeouts.connectMs = r.duration(to, "connect", "timeouts.connect") ?? c.timeouts.connectMs;
    c.timeouts.requestMs = r.duration(to, "request", "timeouts.request") ?? c.timeouts.requestMs;
  }

  // Cross-field rules.
  c.nats = finishConnection(c.nats, r.problems);
  if (r.problems.length) throw new ConfigError(r.problems);
  if (warnings.length) c.warnings = warnings.map((w) => `${source}: ${w}`);
  return c;
}

/** Reads `--config FILE` (if given) and the environment. */
export function loadConfig(file: string | undefined, env: Env = process.env, cli?: CliConnection): LookoutConfig {
  if (!file) return buildConfig({}, env, "environment", cli);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError([`${file}: cannot read: ${(e as Error).message}`]);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ConfigError([`${file}: not valid JSON: ${(e as Error).message}`]);
  }
  return buildConfig(doc, env, file, cli);
}
