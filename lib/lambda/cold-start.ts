// Everything a function needs once per cold start: its slice, its validated configuration, the
// NATS credentials (read through a cache with a max age, see credentials.ts), the history store
// and the notifiers. Warm invocations reuse it; a failed cold start is not cached, so the next
// invocation tries again.
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { LookoutConfig, NatsConnectionConfig } from "../config/config.ts";
import type { HistoryStore } from "../history/store.ts";
import type { Notifier } from "../notify/notifier.ts";
import { historyStoreFor, notifiersFor } from "../run/wiring.ts";
import type { Slice } from "../slices/slice.ts";
import { deployedConfig, parseConfigDocument } from "./config.ts";
import { DEFAULT_SECRET_MAX_AGE_S, RotatingCredentials } from "./credentials.ts";
import { LAMBDA_ENV, requiredEnv, type Env } from "./environment.ts";
import { MissingEnvironmentError } from "./errors.ts";

export interface FunctionRuntime {
  slice: Slice;
  config: LookoutConfig;
  history: HistoryStore;
  notifiers: Notifier[];
  credentials: RotatingCredentials;
  /** The configuration with other credentials (after a rotation); the same validation as at start. */
  withCredentials: (nats: Partial<NatsConnectionConfig>) => LookoutConfig;
  /** How long the cold start took (configuration, secret, clients). */
  initMs: number;
}

function secretMaxAgeS(env: Env): number {
  const raw = env[LAMBDA_ENV.secretMaxAge];
  if (raw === undefined || raw === "") return DEFAULT_SECRET_MAX_AGE_S;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new MissingEnvironmentError([
      `${LAMBDA_ENV.secretMaxAge} (a whole number of seconds, got ${JSON.stringify(raw)})`,
    ]);
  return n;
}

export async function coldStart(slice: Slice, env: Env, secrets: SecretsManagerClient): Promise<FunctionRuntime> {
  const t0 = Date.now();
  const vars = requiredEnv(env, ["config", "table", "topicArn", "secretArn"]);
  // Configuration first: a bad document fails before any AWS call.
  const doc = parseConfigDocument(vars.config);
  const resources = { table: vars.table, topicArn: vars.topicArn };
  const credentials = new RotatingCredentials(secrets, vars.secretArn, secretMaxAgeS(env));
  const withCredentials = (nats: Partial<NatsConnectionConfig>) => deployedConfig(doc, resources, nats);
  const config = withCredentials((await credentials.read()).nats);
  const history = await historyStoreFor(config.history);
  const notifiers = await notifiersFor(config.notify);
  return { slice, config, history, notifiers, credentials, withCredentials, initMs: Date.now() - t0 };
}
