// The naive way for consumers, for comparison in the same run: what `nats server check consumer`
// does for one consumer, repeated for every consumer a tool can find. Per account: list the streams
// ($JS.API.STREAM.NAMES), per stream list its consumers ($JS.API.CONSUMER.NAMES.<stream>), then one
// $JS.API.CONSUMER.INFO.<stream>.<consumer> after the other.
import type { NatsConnection } from "@nats-io/transport-node";
import { newRequestStats, type RequestStats } from "../lib/nats/stats.ts";
import { ask, listNames } from "./naive.ts";

export interface NaiveConsumersResult {
  stats: RequestStats;
  consumers: number;
  /** Replies that carried an API error (counted, as a check would report them). */
  errors: number;
}

/** Collects every consumer of every account given, one INFO request per consumer. */
export async function naiveCollectConsumers(connections: readonly NatsConnection[]): Promise<NaiveConsumersResult> {
  const stats = newRequestStats();
  let consumers = 0;
  let errors = 0;
  for (const nc of connections) {
    for (const stream of await listNames(nc, "$JS.API.STREAM.NAMES", "streams", stats)) {
      for (const name of await listNames(nc, `$JS.API.CONSUMER.NAMES.${stream}`, "consumers", stats)) {
        const info = await ask(nc, `$JS.API.CONSUMER.INFO.${stream}.${name}`, undefined, stats);
        if (info.error) errors++;
        consumers++;
      }
    }
  }
  return { stats, consumers, errors };
}
