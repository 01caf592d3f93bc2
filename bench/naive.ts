// The naive way, for comparison in the same run: what the seeds' examples and `nats server check
// stream` do, repeated for every stream. Per account: list the names ($JS.API.STREAM.NAMES, 1,024 a
// page), then one $JS.API.STREAM.INFO.<name> request per stream, one after the other.
import type { NatsConnection } from "@nats-io/transport-node";
import { newRequestStats, type RequestStats } from "../lib/nats/stats.ts";

const TIMEOUT_MS = 10_000;

export async function ask(
  nc: NatsConnection,
  subject: string,
  body: unknown,
  stats: RequestStats,
): Promise<Record<string, unknown>> {
  stats.requests++;
  const m = await nc.request(subject, body === undefined ? "" : JSON.stringify(body), { timeout: TIMEOUT_MS });
  stats.bytesReceived += m.data.length;
  stats.bytesDecoded += m.data.length;
  return JSON.parse(new TextDecoder().decode(m.data)) as Record<string, unknown>;
}

/** Every name a paged `$JS.API.*.NAMES` listing returns (1,024 a page), page by page. */
export async function listNames(
  nc: NatsConnection,
  subject: string,
  field: "streams" | "consumers",
  stats: RequestStats,
): Promise<string[]> {
  const names: string[] = [];
  for (let offset = 0; ;) {
    const page = await ask(nc, subject, { offset }, stats);
    const got = (page[field] as string[] | null) ?? [];
    names.push(...got);
    offset += got.length;
    if (!got.length || offset >= Number(page.total ?? 0)) return names;
  }
}

export interface NaiveResult {
  stats: RequestStats;
  streams: number;
  /** Replies that carried an API error (counted, as a check would report them). */
  errors: number;
}

/** Collects every stream of every account given, one INFO request per stream. */
export async function naiveCollect(connections: readonly NatsConnection[]): Promise<NaiveResult> {
  const stats = newRequestStats();
  let streams = 0;
  let errors = 0;
  for (const nc of connections) {
    const names = await listNames(nc, "$JS.API.STREAM.NAMES", "streams", stats);
    for (const name of names) {
      const info = await ask(nc, `$JS.API.STREAM.INFO.${name}`, undefined, stats);
      if (info.error) errors++;
      streams++;
    }
  }
  return { stats, streams, errors };
}
