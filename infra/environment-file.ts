// One reviewed JSON file per environment (infra/environments/<env>.json), read and checked here at
// synth time. Every problem in the file is reported at once, with the key and what to do; the
// construct then checks the meaning (validate-props.ts). Nothing here calls AWS.
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { flapScheduleProblem } from "../lib/checks/meta.ts";
import { buildConfig } from "../lib/config/load.ts";
import { ConfigError, LookoutError } from "../lib/errors.ts";
import { SEVERITIES } from "../lib/findings/finding.ts";
import { isObj, type Obj } from "../lib/core/guards.ts";
import { Validator } from "../lib/config/validator.ts";
import { PROJECT_ROOT } from "./bundling.ts";
import type { AwsApiAccess, Severity, SubscriptionProtocol } from "./lookout-props.ts";
import { SETTINGS_KEYS } from "./validate-props.ts";

export const ENVIRONMENTS_DIR = join(PROJECT_ROOT, "infra", "environments");

export class EnvironmentFileError extends LookoutError {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}:\n  - ${problems.join("\n  - ")}`);
  }
}

export interface SubnetSettings {
  id: string;
  availabilityZone: string;
  routeTableId?: string;
}

export interface EnvironmentSettings {
  name: string;
  account: string;
  region: string;
  nats: { servers: string[]; mode?: "system" | "account"; cluster?: string };
  secret: { arn: string; kmsKeyArn?: string } | { create: { user?: string } };
  /** Slice name -> interval in ms and function memory in MB (ranges are checked by the construct). */
  slices: Record<string, { everyMs: number; memorySize?: number }>;
  settings?: Record<string, unknown>;
  subscriptions: { protocol: SubscriptionProtocol; endpoint: string; severities?: Severity[] }[];
  network?: {
    vpcId: string;
    subnets: SubnetSettings[];
    securityGroupIds?: string[];
    natsCidrs?: string[];
    awsApiAccess: AwsApiAccess;
    dynamoDbGatewayEndpoint?: boolean;
  };
  retainData?: boolean;
  historyTtlDays?: number;
  functionTimeoutMs?: number;
  memorySize?: number;
  logRetentionDays?: number;
  missedRunsBeforeAlarm?: number;
  /** Also emit the detailed CloudWatch metrics (about $1.80 a month more per slice). */
  detailedMetrics?: boolean;
}

/** Retention periods CloudWatch Logs accepts (RetentionDays). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

const show = (v: unknown) => JSON.stringify(v);
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/;
const TOP_KEYS = [
  "$comment",
  "account",
  "region",
  "nats",
  "secret",
  "slices",
  "settings",
  "subscriptions",
  "network",
  "retainData",
  "historyTtlDays",
  "functionTimeout",
  "memorySize",
  "logRetentionDays",
  "missedRunsBeforeAlarm",
  "detailedMetrics",
];

function readSecret(c: Validator, o: Obj): EnvironmentSettings["secret"] | undefined {
  const s = c.obj(o, "secret", "secret", true);
  if (!s) return undefined;
  c.known(s, "secret", ["arn", "kmsKeyArn", "create"]);
  const hasArn = s.arn !== undefined;
  const hasCreate = s.create !== undefined;
  if (hasArn === hasCreate)
    return c.bad("secret", 'give exactly one of "arn" (an existing secret) or "create" ({} or {"user": "..."})');
  if (hasArn) {
    const arn = c.str(s, "arn", "secret.arn", {
      pattern: SECRET_ARN,
      hint: "use the secret's complete ARN, ending in the 6-character suffix AWS adds (aws secretsmanager describe-secret --secret-id NAME --query ARN), so IAM can name it without a wildcard",
    });
    const kms = c.str(s, "kmsKeyArn", "secret.kmsKeyArn", {
      pattern: KMS_KEY_ARN,
      hint: "the ARN of the customer-managed KMS key encrypting the secret (arn:aws:kms:<region>:<account>:key/<id>)",
    });
    if (!arn) return undefined;
    return kms ? { arn, kmsKeyArn: kms } : { arn };
  }
  if (s.kmsKeyArn !== undefined)
    c.bad(
      "secret.kmsKeyArn",
      "only for an existing secret; a created secret uses the account's default Secrets Manager key",
    );
  const cr = c.obj(s, "create", "secret.create");
  if (!cr) return undefined;
  c.known(cr, "secret.create", ["user"]);
  const user = c.str(cr, "user", "secret.create.user");
  return { create: user ? { user } : {} };
}

function readNetwork(c: Validator, o: Obj): EnvironmentSettings["network"] | undefined {
  const n = c.obj(o, "network", "network");
  if (!n) return undefined;
  c.known(n, "network", [
    "vpcId",
    "subnets",
    "securityGroupIds",
    "natsCidrs",
    "awsApiAccess",
    "dynamoDbGatewayEndpoint",
  ]);
  const vpcId = c.str(n, "vpcId", "network.vpcId", {
    pattern: /^vpc-[0-9a-f]{8,17}$/,
    hint: "a VPC id such as vpc-0123456789abcdef0",
    required: true,
  });
  const subnets: SubnetSettings[] = [];
  if (!Array.isArray(n.subnets) || n.subnets.length === 0)
    c.bad(
      "network.subnets",
      'required: a list of {"id", "availabilityZone", "routeTableId"} for the private subnets the functions run in',
    );
  else
    n.subnets.forEach((s, i) => {
      const at = `network.subnets[${i}]`;
      if (!isObj(s)) return void c.bad(at, "expected an object");
      c.known(s, at, ["id", "availabilityZone", "routeTableId"]);
      const id = c.str(s, "id", `${at}.id`, {
        pattern: /^subnet-[0-9a-f]{8,17}$/,
        hint: "a subnet id such as subnet-0123456789abcdef0",
        required: true,
      });
      const az = c.str(s, "availabilityZone", `${at}.availabilityZone`, {
        pattern: /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/,
        hint: "an AZ name such as eu-west-1a",
        required: true,
      });
      const rtb = c.str(s, "routeTableId", `${at}.routeTableId`, {
        pattern: /^rtb-[0-9a-f]{8,17}$/,
        hint: "a route table id such as rtb-0123456789abcdef0",
      });
      if (id && az) subnets.push(rtb ? { id, availabilityZone: az, routeTableId: rtb } : { id, availabilityZone: az });
    });
  const access = n.awsApiAccess;
  if (access !== "nat" && access !== "endpoints")
    c.bad(
      "network.awsApiAccess",
      `expected "nat" (the subnets already route to a NAT gateway) or "endpoints" (create interface endpoints for SNS and Secrets Manager), got ${show(access)}`,
    );
  const sgs = c.strings(n, "securityGroupIds", "network.securityGroupIds", {
    pattern: /^sg-[0-9a-f]{8,17}$/,
    hint: "a security group id such as sg-0123456789abcdef0",
  });
  const cidrs = c.strings(n, "natsCidrs", "network.natsCidrs");
  const gw = c.bool(n, "dynamoDbGatewayEndpoint", "network.dynamoDbGatewayEndpoint");
  if (!vpcId || (access !== "nat" && access !== "endpoints")) return undefined;
  const out: NonNullable<EnvironmentSettings["network"]> = { vpcId, subnets, awsApiAccess: access };
  if (sgs) out.securityGroupIds = sgs;
  if (cidrs) out.natsCidrs = cidrs;
  if (gw !== undefined) out.dynamoDbGatewayEndpoint = gw;
  return out;
}

/**
 * The run-time settings (thresholds, alerts with `alerts.severity`, timeouts) through the handler's
 * own parser, as the construct does, so a bad value is listed with the file's other problems; and
 * whether META_003 can fire at the file's meta schedule.
 */
function checkSettings(c: Validator, settings: Obj, metaEveryMs: number | undefined): void {
  const doc: Obj = {};
  for (const k of SETTINGS_KEYS) if (settings[k] !== undefined) doc[k] = settings[k];
  try {
    const config = buildConfig(doc, {}, "settings");
    const flap = metaEveryMs === undefined ? undefined : flapScheduleProblem(metaEveryMs, config.thresholds.meta);
    if (flap) c.problems.push(flap);
  } catch (e) {
    if (e instanceof ConfigError) c.problems.push(...e.problems);
    else throw e;
  }
}

/** Checks a parsed environment document; `name` is the environment (the file's base name). */
export function readEnvironment(doc: unknown, name: string, file = `${name}.json`): EnvironmentSettings {
  const c = new Validator();
  if (!isObj(doc)) throw new EnvironmentFileError(file, ["expected a JSON object"]);
  c.known(doc, "", TOP_KEYS);
  const account = c.str(doc, "account", "account", {
    pattern: /^\d{12}$/,
    hint: "the 12-digit AWS account id to deploy to",
    required: true,
  });
  const region = c.str(doc, "region", "region", {
    pattern: /^[a-z]{2}(-[a-z]+)+-\d$/,
    hint: "an AWS region such as eu-west-1",
    required: true,
  });

  const nats = c.obj(doc, "nats", "nats", true);
  let servers: string[] | undefined;
  let mode: "system" | "account" | undefined;
  let cluster: string | undefined;
  if (nats) {
    c.known(nats, "nats", ["servers", "mode", "cluster"]);
    servers = c.strings(nats, "servers", "nats.servers");
    if (!servers) c.bad("nats.servers", "required: the NATS URLs the monitor connects to");
    if (nats.mode !== undefined && nats.mode !== "system" && nats.mode !== "account")
      c.bad("nats.mode", `expected "system" or "account", got ${show(nats.mode)}`);
    else mode = nats.mode;
    cluster = c.str(nats, "cluster", "nats.cluster");
  }
  const secret = readSecret(c, doc);

  const slicesObj = c.obj(doc, "slices", "slices", true);
  const slices: EnvironmentSettings["slices"] = {};
  for (const [k, v] of Object.entries(slicesObj ?? {})) {
    if (!isObj(v)) {
      c.bad(`slices.${k}`, 'expected {"every": "<duration>", "memorySize"?: <MB>}');
      continue;
    }
    c.known(v, `slices.${k}`, ["every", "memorySize"]);
    const everyMs = c.duration(v, "every", `slices.${k}.every`, "1m", true);
    const memorySize = c.int(v, "memorySize", `slices.${k}.memorySize`);
    if (everyMs !== undefined) slices[k] = memorySize === undefined ? { everyMs } : { everyMs, memorySize };
  }
  const settings = c.obj(doc, "settings", "settings");
  if (settings) checkSettings(c, settings, slices.meta?.everyMs);

  const subscriptions: EnvironmentSettings["subscriptions"] = [];
  if (doc.subscriptions !== undefined && !Array.isArray(doc.subscriptions)) c.bad("subscriptions", "expected a list");
  else
    ((doc.subscriptions as unknown[] | undefined) ?? []).forEach((s, i) => {
      const at = `subscriptions[${i}]`;
      if (!isObj(s)) return void c.bad(at, "expected an object");
      c.known(s, at, ["protocol", "endpoint", "severities"]);
      if (s.protocol !== "email" && s.protocol !== "sms" && s.protocol !== "https")
        return void c.bad(`${at}.protocol`, `expected "email", "sms" or "https", got ${show(s.protocol)}`);
      const endpoint = c.str(s, "endpoint", `${at}.endpoint`, {
        hint: "the address, E.164 number or https URL",
        required: true,
      });
      const severities = c.strings(s, "severities", `${at}.severities`);
      for (const v of severities ?? [])
        if (!(SEVERITIES as readonly string[]).includes(v))
          c.bad(`${at}.severities`, `unknown severity ${show(v)} (expected ${SEVERITIES.join(", ")})`);
      if (endpoint)
        subscriptions.push(
          severities
            ? { protocol: s.protocol, endpoint, severities: severities as Severity[] }
            : { protocol: s.protocol, endpoint },
        );
    });

  const network = readNetwork(c, doc);
  const retainData = c.bool(doc, "retainData", "retainData");
  const historyTtlDays = c.int(doc, "historyTtlDays", "historyTtlDays");
  const functionTimeoutMs = c.duration(doc, "functionTimeout", "functionTimeout", "1m");
  const memorySize = c.int(doc, "memorySize", "memorySize");
  const logRetentionDays = c.int(doc, "logRetentionDays", "logRetentionDays");
  if (logRetentionDays !== undefined && !LOG_RETENTION_DAYS.includes(logRetentionDays))
    c.bad(
      "logRetentionDays",
      `CloudWatch Logs keeps logs for one of ${LOG_RETENTION_DAYS.join(", ")} days; got ${logRetentionDays}`,
    );
  const missedRunsBeforeAlarm = c.int(doc, "missedRunsBeforeAlarm", "missedRunsBeforeAlarm");
  const detailedMetrics = c.bool(doc, "detailedMetrics", "detailedMetrics");

  if (c.problems.length) throw new EnvironmentFileError(file, c.problems);
  const out: EnvironmentSettings = {
    name,
    account: account!,
    region: region!,
    nats: { servers: servers! },
    secret: secret!,
    slices,
    subscriptions,
  };
  if (mode) out.nats.mode = mode;
  if (cluster) out.nats.cluster = cluster;
  if (settings) out.settings = settings;
  if (network) out.network = network;
  if (retainData !== undefined) out.retainData = retainData;
  if (historyTtlDays !== undefined) out.historyTtlDays = historyTtlDays;
  if (functionTimeoutMs !== undefined) out.functionTimeoutMs = functionTimeoutMs;
  if (memorySize !== undefined) out.memorySize = memorySize;
  if (logRetentionDays !== undefined) out.logRetentionDays = logRetentionDays;
  if (missedRunsBeforeAlarm !== undefined) out.missedRunsBeforeAlarm = missedRunsBeforeAlarm;
  if (detailedMetrics !== undefined) out.detailedMetrics = detailedMetrics;
  return out;
}

/** The environments there are files for. */
export function environmentNames(dir = ENVIRONMENTS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => basename(f, ".json"))
    .sort();
}

/** Reads `infra/environments/<name>.json`. */
export function loadEnvironment(name: string, dir = ENVIRONMENTS_DIR): EnvironmentSettings {
  const known = environmentNames(dir);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !known.includes(name)) {
    throw new EnvironmentFileError(`infra/environments/${name}.json`, [
      `no such environment; choose one of ${known.join(", ")} (-c env=<name>), or add infra/environments/${name}.json`,
    ]);
  }
  const file = join(dir, `${name}.json`);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new EnvironmentFileError(`infra/environments/${name}.json`, [`not valid JSON: ${(e as Error).message}`]);
  }
  return readEnvironment(doc, name, `infra/environments/${name}.json`);
}
