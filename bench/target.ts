// What a slice run in the benchmark talks to: the cluster (system account) and DynamoDB on
// moto_server. Plain data, so a child process can be handed it as JSON.
import { buildConfig } from "../lib/config/load.ts";
import type { LookoutConfig } from "../lib/config/config.ts";
import { DynamoHistoryStore } from "../lib/history/dynamodb-store.ts";

export interface BenchTarget {
  servers: string[];
  user: string;
  password: string;
  /** moto_server's endpoint. */
  ddbEndpoint: string;
  table: string;
  /** History key label: one per S, so sizes never share a document. */
  label: string;
  /** Request timeout (a duration, e.g. "3s"); default 30s. */
  requestTimeout?: string;
}

export const BENCH_TABLE = "lookout-bench";
const MOTO_REGION = "us-east-1";
/** moto's dummy keys: never real credentials. */
const MOTO_CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };

/** System mode, DynamoDB history, no notifier (a healthy cluster has nothing to send). */
export function benchConfig(t: BenchTarget): LookoutConfig {
  return buildConfig(
    {
      cluster: t.label,
      mode: "system",
      nats: { servers: t.servers, user: t.user, password: t.password },
      history: { kind: "dynamodb", table: t.table, endpoint: t.ddbEndpoint, region: MOTO_REGION },
      notify: [],
      // Generous: a fan-out ends as soon as every server answered, so this never slows a run (only a
      // first run, which knows no server count, waits it out).
      timeouts: { connect: "10s", request: t.requestTimeout ?? "30s" },
      // The benchmark's consumers with messages pending are never pulled from: after the default
      // 5 minutes each would be a stuck-consumer alert, and the runs would measure thousands of
      // alerts instead of a quiet cluster. Their marks (and stuck clocks) are kept all the same.
      thresholds: { consumers: { defaults: { "stuck-after": "30d" } } },
    },
    {},
    "bench",
  );
}

export function benchStore(t: BenchTarget): DynamoHistoryStore {
  return new DynamoHistoryStore({
    table: t.table,
    ttlDays: 14,
    clientConfig: { endpoint: t.ddbEndpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS },
  });
}

export const motoClientConfig = (endpoint: string) => ({
  endpoint,
  region: MOTO_REGION,
  credentials: MOTO_CREDENTIALS,
});
