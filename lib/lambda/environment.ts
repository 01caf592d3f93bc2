// The environment contract between the CDK construct (infra/) and the Lambda handler: the names
// of the variables the stack sets and the handler reads, in one place so they cannot drift.
import { MissingEnvironmentError } from "./errors.ts";

export const LAMBDA_ENV = {
  /** Non-secret JSON configuration (the document `buildConfig` accepts, without credentials). */
  config: "LOOKOUT_CONFIG",
  /** DynamoDB history table name. */
  table: "LOOKOUT_TABLE_NAME",
  /** SNS topic the notifier publishes alerts to. */
  topicArn: "LOOKOUT_TOPIC_ARN",
  /** Secrets Manager secret holding the NATS credentials (JSON, see secret.ts). */
  secretArn: "LOOKOUT_SECRET_ARN",
  /** Optional: seconds a read secret is trusted before it is read again (default 300). */
  secretMaxAge: "LOOKOUT_SECRET_MAX_AGE",
  /** Optional: "1" also emits the detailed metrics (each series costs $0.30 a month). */
  detailedMetrics: "LOOKOUT_DETAILED_METRICS",
} as const;

export type LambdaEnvKey = keyof typeof LAMBDA_ENV;
export type Env = Record<string, string | undefined>;

/**
 * Reads required variables at once; fails naming every missing one (not just the first), so a
 * misdeployed function says in one log line what the stack forgot to set.
 */
export function requiredEnv<K extends LambdaEnvKey>(env: Env, keys: readonly K[]): Record<K, string> {
  const out = {} as Record<K, string>;
  const missing: string[] = [];
  for (const k of keys) {
    const v = env[LAMBDA_ENV[k]]?.trim();
    if (v) out[k] = v;
    else missing.push(LAMBDA_ENV[k]);
  }
  if (missing.length) throw new MissingEnvironmentError(missing);
  return out;
}
