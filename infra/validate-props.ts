// Every rule the NatsLookout props must satisfy, checked before anything is built. Problems are
// collected and thrown once; each names the prop and says what to do.
import { Token } from "aws-cdk-lib";
import type * as ec2 from "aws-cdk-lib/aws-ec2";
import { CHECKS } from "../lib/checks/catalog.ts";
import { flapScheduleProblem } from "../lib/checks/meta.ts";
import { buildConfig } from "../lib/config/load.ts";
import { ConfigError, LookoutError } from "../lib/errors.ts";
import { SEVERITIES } from "../lib/findings/finding.ts";
import { hasUserInfo, parseServerList } from "../lib/config/server-urls.ts";
import { deployedDocument } from "../lib/lambda/config.ts";
import { hasHandler as handlerExists } from "./bundling.ts";
import { DEFAULTS, type JsonObject, type NatsLookoutProps } from "./lookout-props.ts";

export class LookoutPropsError extends LookoutError {
  constructor(readonly problems: string[]) {
    super(`invalid NatsLookout props:\n  - ${problems.join("\n  - ")}`);
  }
}

/** Slices with checks in the catalog (a slice name the code does not know cannot be deployed). */
export const KNOWN_SLICES: readonly string[] = [...new Set(CHECKS.flatMap((c) => c.slices))];

/** Keys of `settings`; the rest of the configuration comes from props or the stack itself. */
export const SETTINGS_KEYS = ["thresholds", "alerts", "timeouts"] as const;

/** Lambda allows 4 KB of environment variables in all; leave room for the others. */
export const MAX_CONFIG_BYTES = 3_000;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const validCidr = (c: string): boolean => {
  const m = CIDR.exec(c);
  return !!m && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
};

/** The problem with a function memory Lambda would refuse, naming `key` as written; none when unset. */
const memoryProblem = (key: string, mb: number | undefined): string | undefined =>
  mb === undefined || (Number.isInteger(mb) && mb >= 128 && mb <= 10_240)
    ? undefined
    : `${key}: Lambda allows 128 to 10240 MB in whole MB, got ${mb}`;

/** A URL with its user info hidden, for messages about URLs that should not carry any. */
const redactUrl = (u: string): string => u.replace(/\/\/[^/@]*@/, "//***@");

/** The plain-text configuration document each function gets in LOOKOUT_CONFIG. */
export function configDocument(props: NatsLookoutProps): JsonObject {
  const doc: Record<string, unknown> = { nats: { servers: [...props.natsServers] }, mode: props.mode ?? DEFAULTS.mode };
  if (props.clusterLabel !== undefined) doc.cluster = props.clusterLabel;
  for (const k of SETTINGS_KEYS) if (props.settings?.[k] !== undefined) doc[k] = props.settings[k];
  doc.history = { ttlDays: props.historyTtlDays ?? DEFAULTS.historyTtlDays };
  return doc;
}

function validateSettings(props: NatsLookoutProps, problems: string[]): void {
  if (props.natsServers.length === 0)
    problems.push("natsServers: give at least one NATS URL, e.g. tls://nats-1.internal:4222");
  for (const u of props.natsServers) {
    if (hasUserInfo([u]))
      problems.push(
        `natsServers: ${redactUrl(u)} carries credentials; remove them from the URL and store them in the secret`,
      );
  }
  for (const k of Object.keys(props.settings ?? {})) {
    if (!(SETTINGS_KEYS as readonly string[]).includes(k))
      problems.push(
        `settings.${k}: not a setting here (settings hold ${SETTINGS_KEYS.join(", ")}; servers, mode, cluster label, history and alert delivery are props of the construct)`,
      );
  }
  if (props.historyTtlDays !== undefined && !(Number.isInteger(props.historyTtlDays) && props.historyTtlDays >= 1)) {
    problems.push(`historyTtlDays: expected a whole number of days >= 1, got ${props.historyTtlDays}`);
  }
  // The handler's own parser, with stand-ins for what only the deployed stack knows.
  try {
    // URLs with user info were named above; the parser judges the rest.
    const base = configDocument(props);
    const servers = props.natsServers.map((u) =>
      hasUserInfo([u]) ? (parseServerList([u], "natsServers").servers[0] ?? u) : u,
    );
    const doc = deployedDocument(
      { ...base, nats: { ...(base.nats as object), servers } },
      { table: "synth-check", topicArn: "arn:aws:sns:us-east-1:123456789012:synth-check" },
      {},
    );
    const config = buildConfig(doc, {}, "settings");
    // The deployed schedule, not the CLI's, decides whether META_003 can ever fire.
    const meta = props.slices.meta;
    if (meta) {
      const flap = flapScheduleProblem(meta.every.toSeconds() * 1000, config.thresholds.meta);
      if (flap) problems.push(flap);
    }
  } catch (e) {
    if (e instanceof ConfigError) problems.push(...e.problems);
    else throw e;
  }
  const bytes = Buffer.byteLength(JSON.stringify(configDocument(props)));
  if (bytes > MAX_CONFIG_BYTES)
    problems.push(
      `settings: the configuration is ${bytes} bytes; Lambda allows 4 KB of environment variables, keep it under ${MAX_CONFIG_BYTES} (fewer stream overrides; use io.nats.monitor.* stream metadata instead)`,
    );
}

function validateSlices(props: NatsLookoutProps, problems: string[], hasHandler: (slice: string) => boolean): void {
  const entries = Object.entries(props.slices).filter(([, s]) => s !== undefined);
  if (props.mode === "account" && props.slices.meta)
    problems.push(
      "slices.meta: the meta slice asks every server through $SYS.REQ.SERVER.PING.JSZ, which only system-account users may; in account mode deploy the streams slice only, or use mode system",
    );
  if (entries.length === 0)
    problems.push(`slices: deploy at least one slice (${KNOWN_SLICES.join(", ")}), each with a schedule`);
  const missed = props.missedRunsBeforeAlarm ?? DEFAULTS.missedRunsBeforeAlarm;
  if (!(Number.isInteger(missed) && missed >= 1 && missed <= 100))
    problems.push(`missedRunsBeforeAlarm: expected a whole number from 1 to 100, got ${missed}`);
  const timeout = props.functionTimeout?.toSeconds() ?? DEFAULTS.functionTimeoutSeconds;
  if (timeout < 1 || timeout > 900) problems.push(`functionTimeout: Lambda allows 1 s to 15 min, got ${timeout} s`);
  for (const [name, s] of entries) {
    if (!KNOWN_SLICES.includes(name)) {
      problems.push(`slices.${name}: unknown slice (known: ${KNOWN_SLICES.join(", ")})`);
      continue;
    }
    if (!hasHandler(name))
      problems.push(
        `slices.${name}: no handler at functions/${name}.ts; add it (export const handler = makeHandler("${name}")) or leave the slice out`,
      );
    const memory = memoryProblem(`slices.${name}.memorySize`, s.memorySize);
    if (memory) problems.push(memory);
    const seconds = s.every.toSeconds();
    if (!(seconds >= 60 && seconds % 60 === 0)) {
      problems.push(
        `slices.${name}.every: EventBridge Scheduler runs at most once a minute; use whole minutes such as 1m or 5m (got ${seconds} s)`,
      );
      continue;
    }
    if (seconds * missed > 86_400)
      problems.push(
        `slices.${name}.every: ${seconds / 60} min x ${missed} missed runs exceeds the 24 h a CloudWatch alarm can look back; run more often or lower missedRunsBeforeAlarm`,
      );
    if (timeout >= seconds)
      problems.push(
        `functionTimeout: ${timeout} s is not shorter than slices.${name}.every (${seconds} s); a slow run would overlap the next, so shorten the timeout or run less often`,
      );
  }
}

function validateSubscriptions(props: NatsLookoutProps, problems: string[]): void {
  const seen = new Set<string>();
  (props.subscriptions ?? []).forEach((s, i) => {
    const at = `subscriptions[${i}]`;
    if (s.protocol === "email") {
      if (!EMAIL.test(s.endpoint)) problems.push(`${at}: "${s.endpoint}" is not an e-mail address`);
    } else if (s.protocol === "sms") {
      if (!E164.test(s.endpoint))
        problems.push(
          `${at}: "${s.endpoint}" is not a phone number in E.164 form (+ country code and number, e.g. +15555550100)`,
        );
    } else if (s.protocol === "https") {
      if (URL.parse(s.endpoint)?.protocol !== "https:")
        problems.push(
          `${at}: "${redactUrl(s.endpoint)}" is not an https:// URL (SNS delivers to pagers over HTTPS only here)`,
        );
    } else {
      problems.push(`${at}.protocol: expected email, sms or https, got ${JSON.stringify(s.protocol)}`);
    }
    if (s.severities !== undefined) {
      if (s.severities.length === 0)
        problems.push(
          `${at}.severities: empty, so it would receive nothing; list at least one of ${SEVERITIES.join(", ")} or leave it out for all`,
        );
      for (const v of s.severities)
        if (!(SEVERITIES as readonly string[]).includes(v))
          problems.push(`${at}.severities: unknown severity ${JSON.stringify(v)} (expected ${SEVERITIES.join(", ")})`);
    }
    const key = `${s.protocol}:${s.endpoint.toLowerCase()}`;
    if (seen.has(key))
      problems.push(
        `${at}: ${s.protocol} ${s.protocol === "https" ? redactUrl(s.endpoint) : s.endpoint} is subscribed twice; SNS keeps one subscription per endpoint, so merge their severities`,
      );
    seen.add(key);
  });
}

const azOf = (s: ec2.ISubnet): string | undefined => {
  try {
    return s.availabilityZone;
  } catch {
    return undefined;
  }
};
const routeTableOf = (s: ec2.ISubnet): string | undefined => {
  try {
    return s.routeTable?.routeTableId;
  } catch {
    return undefined;
  }
};

function validateNetwork(props: NatsLookoutProps, problems: string[]): void {
  const n = props.network;
  if (!n) return;
  if (n.awsApiAccess !== "nat" && n.awsApiAccess !== "endpoints")
    problems.push(
      `network.awsApiAccess: expected "nat" (the subnets route to an existing NAT) or "endpoints" (interface endpoints for SNS and Secrets Manager), got ${JSON.stringify(n.awsApiAccess)}`,
    );
  if (n.subnets.length === 0)
    problems.push(
      "network.subnets: give the private subnets the functions run in (at least one; two AZs for availability)",
    );
  if (n.awsApiAccess === "endpoints") {
    const azs = n.subnets.map(azOf);
    if (azs.some((a) => a === undefined))
      problems.push(
        "network.subnets: interface endpoints need each subnet's availability zone; import the subnets with it",
      );
    else if (new Set(azs).size !== azs.length)
      problems.push(
        "network.subnets: interface endpoints take one subnet per availability zone; list one subnet per AZ",
      );
  }
  if (
    (n.dynamoDbGatewayEndpoint ?? true) &&
    n.subnets.some((s) => {
      const id = routeTableOf(s);
      return id === undefined || (!Token.isUnresolved(id) && !/^rtb-/.test(id));
    })
  ) {
    problems.push(
      "network.subnets: the DynamoDB gateway endpoint is added to the subnets' route tables; import each subnet with its routeTableId, or set dynamoDbGatewayEndpoint to false if the route tables already have one",
    );
  }
  if (n.securityGroups === undefined || n.securityGroups.length === 0) {
    if (!n.natsCidrs || n.natsCidrs.length === 0)
      problems.push(
        "network.natsCidrs: the functions' security group is created with egress only to the NATS servers and HTTPS; give the CIDR ranges the NATS servers are in (or pass securityGroups)",
      );
  } else if (n.natsCidrs !== undefined) {
    problems.push(
      "network.natsCidrs: applies only to the security group the construct creates; with securityGroups given, open the NATS ports in those groups instead",
    );
  }
  for (const c of n.natsCidrs ?? [])
    if (!validCidr(c)) problems.push(`network.natsCidrs: "${c}" is not an IPv4 CIDR such as 10.0.0.0/16`);
}

/** Every problem with the props; empty when they are valid. `hasHandler` says whether a slice has its functions/<slice>.ts. */
export function validateLookoutProps(
  props: NatsLookoutProps,
  hasHandler: (slice: string) => boolean = handlerExists,
): string[] {
  const problems: string[] = [];
  if (props.mode !== undefined && props.mode !== "system" && props.mode !== "account")
    problems.push(`mode: expected "system" or "account", got ${JSON.stringify(props.mode)}`);
  if (props.clusterLabel !== undefined && props.clusterLabel.trim() === "")
    problems.push("clusterLabel: empty; leave it out to use the cluster name the servers report");
  validateSettings(props, problems);
  validateSlices(props, problems, hasHandler);
  validateSubscriptions(props, problems);
  validateNetwork(props, problems);
  const memory = memoryProblem("memorySize", props.memorySize);
  if (memory) problems.push(memory);
  const service = props.serviceName ?? DEFAULTS.serviceName;
  if (!SERVICE_NAME.test(service))
    problems.push(
      `serviceName: "${service}" must be 1-64 letters, digits, ".", "_" or "-" (it becomes a metric dimension)`,
    );
  const user = props.secret?.userName;
  if (user !== undefined && !USER_NAME.test(user))
    problems.push(`secret.userName: "${user}" must be 1-64 letters, digits, "_", "." or "-"`);
  return problems;
}
