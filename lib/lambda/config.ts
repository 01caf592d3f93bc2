// The configuration of a deployed function: the non-secret JSON document the stack puts in
// LOOKOUT_CONFIG, plus the resources it created (table, topic) and the credentials read from the
// secret. The CDK construct validates the same document at synth time with the same function, so
// a bad threshold fails `cdk synth`, not the first scheduled run.
import { isObj, type Obj } from "../core/guards.ts";
import type { LookoutConfig, NatsConnectionConfig } from "../config/config.ts";
import { buildConfig } from "../config/load.ts";
import { hasUserInfo } from "../config/server-urls.ts";
import { ConfigError } from "../errors.ts";
import { LAMBDA_ENV } from "./environment.ts";

/** Keys of `nats` that must come from the secret, never from the plain-text environment. */
export const SECRET_NATS_KEYS = ["user", "password", "token", "creds", "nkey", "tls"] as const;

export interface DeployedResources {
  table: string;
  topicArn: string;
}

/** Parses LOOKOUT_CONFIG's text into a JSON object, or fails saying so. */
export function parseConfigDocument(text: string): Obj {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ConfigError([`${LAMBDA_ENV.config}: not valid JSON: ${(e as Error).message}`]);
  }
  if (!isObj(doc)) throw new ConfigError([`${LAMBDA_ENV.config}: expected a JSON object`]);
  return doc;
}

/**
 * The document `buildConfig` validates: history and notify point at the stack's table and topic;
 * connection credentials come only from the secret.
 */
export function deployedDocument(
  doc: Obj,
  resources: DeployedResources,
  credentials: Partial<NatsConnectionConfig>,
): Obj {
  const problems: string[] = [];
  const nats = isObj(doc.nats) ? doc.nats : {};
  for (const k of SECRET_NATS_KEYS)
    if (nats[k] !== undefined)
      problems.push(
        `${LAMBDA_ENV.config}: nats.${k}: credentials belong in the Secrets Manager secret, not in plain-text configuration`,
      );
  const servers = Array.isArray(nats.servers) ? nats.servers.filter((x): x is string => typeof x === "string") : [];
  if (hasUserInfo(servers))
    problems.push(
      `${LAMBDA_ENV.config}: nats.servers: a URL carries user info; credentials belong in the Secrets Manager secret, not in plain-text configuration`,
    );
  for (const k of ["notify"])
    if (doc[k] !== undefined) problems.push(`${LAMBDA_ENV.config}: ${k}: set by the stack (the SNS topic); remove it`);
  const history = isObj(doc.history) ? doc.history : {};
  for (const k of Object.keys(history))
    if (k !== "ttlDays")
      problems.push(
        `${LAMBDA_ENV.config}: history.${k}: set by the stack (the DynamoDB table); only history.ttlDays may be given`,
      );
  if (problems.length) throw new ConfigError(problems);
  return {
    ...doc,
    nats: { ...nats, ...credentials },
    history: { ...history, kind: "dynamodb", table: resources.table },
    notify: [{ kind: "sns", topicArn: resources.topicArn }],
  };
}

/** The validated configuration of a deployed run. Connection settings come from nowhere else. */
export function deployedConfig(
  doc: Obj,
  resources: DeployedResources,
  credentials: Partial<NatsConnectionConfig>,
): LookoutConfig {
  return buildConfig(deployedDocument(doc, resources, credentials), {}, LAMBDA_ENV.config);
}
