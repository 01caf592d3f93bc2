// The floors the fan-out slices are held against: the raw JSZ fan-out each slice's collector makes,
// on an open connection, with every reply decompressed and parsed, and nothing else (no folding,
// no history, no judging). Measured in the same run, interleaved with the slice, so load is shared.
import { performance } from "node:perf_hooks";
import type { NatsConnection } from "@nats-io/transport-node";
import { DEFAULT_CONSUMER_ACCOUNTS_PER_PAGE } from "../lib/collect/consumers-jsz.ts";
import { sysFanout } from "../lib/nats/fanout.ts";
import { newRequestStats, type RequestStats } from "../lib/nats/stats.ts";
import type { JszWire } from "../lib/nats/wire.ts";

export interface RawFanout {
  wallMs: number;
  /** CPU time of this process (user + system) during the fan-out. */
  cpuMs: number;
  replies: number;
  stats: RequestStats;
}

const JSZ = "$SYS.REQ.SERVER.PING.JSZ";

/** One leader-only JSZ request to every server; ends once `servers` replies arrived (or the timeout). */
export async function rawFanout(nc: NatsConnection, servers: number, timeoutMs = 30_000): Promise<RawFanout> {
  const stats = newRequestStats();
  const body = { accounts: true, streams: true, config: true, offset: 0, limit: 256, stream_leader_only: true };
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await sysFanout(nc, JSZ, body, { timeoutMs, stats, expected: () => servers });
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  if (r.undecodable.length) throw new Error(`raw fan-out: undecodable replies: ${r.undecodable.join("; ")}`);
  return { wallMs, cpuMs: (c.user + c.system) / 1000, replies: r.replies.length, stats };
}

/**
 * The consumers collector's requests: JSZ with every consumer and its configuration, a page of
 * accounts at a time, asking for the next page while some server's page came back full (the
 * collector's paging: offset 0, then 1, then on by the page size).
 */
export async function rawConsumersFanout(nc: NatsConnection, servers: number, timeoutMs = 30_000): Promise<RawFanout> {
  const stats = newRequestStats();
  const limit = DEFAULT_CONSUMER_ACCOUNTS_PER_PAGE;
  let replies = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let offset = 0; ; offset = offset === 0 ? 1 : offset + limit) {
    const body = { accounts: true, streams: true, consumer: true, config: true, offset, limit };
    const r = await sysFanout<JszWire>(nc, JSZ, body, { timeoutMs, stats, expected: () => servers });
    if (r.undecodable.length) throw new Error(`raw fan-out: undecodable replies: ${r.undecodable.join("; ")}`);
    replies += r.replies.length;
    if (!r.replies.some((x) => (x.data?.account_details?.length ?? 0) >= limit)) break;
  }
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wallMs, cpuMs: (c.user + c.system) / 1000, replies, stats };
}
