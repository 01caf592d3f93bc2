// Everything a function needs once per cold start: its slice, its validated configuration, the
// NATS credentials (one Secrets Manager read), the history store and the notifiers. Warm
// invocations reuse it; a failed cold start is not cached, so the next invocation tries again.
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { LookoutConfig } from "../config/config.ts";
import type { HistoryStore } from "../history/store.ts";
import type { Notifier } from "../notify/notifier.ts";
import { historyStoreFor, notifiersFor } from "../run/wiring.ts";
import type { Slice } from "../slices/slice.ts";
import { deployedConfig, parseConfigDocument } from "./config.ts";
import { requiredEnv, type Env } from "./environment.ts";
import { SecretError } from "./errors.ts";
import { materializeSecret, parseNatsSecret } from "./secret.ts";

export interface FunctionRuntime {
  slice: Slice;
  config: LookoutConfig;
  history: HistoryStore;
  notifiers: Notifier[];
  /** How long the cold start took (configuration, secret, clients). */
  initMs: number;
}

export async function readSecretString(client: SecretsManagerClient, secretArn: string): Promise<string> {
  let value: string | undefined;
  try {
    value = (await client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
  } catch (e) {
    // AWS error messages name the secret and the denied action, never the value.
    const err = e as Error;
    throw new SecretError(secretArn, `cannot read it (${err.name}: ${err.message}); the function's role must allow secretsmanager:GetSecretValue on it`, { cause: e });
  }
  if (value === undefined) throw new SecretError(secretArn, "has no string value (binary secrets are not supported): store the JSON credentials as the secret string");
  return value;
}

export async function coldStart(slice: Slice, env: Env, secrets: SecretsManagerClient): Promise<FunctionRuntime> {
  const t0 = Date.now();
  const vars = requiredEnv(env, ["config", "table", "topicArn", "secretArn"]);
  // Configuration first: a bad document fails before any AWS call.
  const doc = parseConfigDocument(vars.config);
  const secret = parseNatsSecret(await readSecretString(secrets, vars.secretArn), vars.secretArn);
  const config = deployedConfig(doc, { table: vars.table, topicArn: vars.topicArn }, materializeSecret(secret));
  const history = await historyStoreFor(config.history);
  const notifiers = await notifiersFor(config.notify);
  return { slice, config, history, notifiers, initMs: Date.now() - t0 };
}
