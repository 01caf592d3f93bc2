// The floor the streams slice is held against: the raw leader-only JSZ fan-out, one request on an
// open connection with every reply decompressed and parsed, and nothing else (no folding, no
// history, no judging). Measured in the same run, interleaved with the slice, so load is shared.
import { performance } from "node:perf_hooks";
import type { NatsConnection } from "@nats-io/transport-node";
import { sysFanout } from "../lib/nats/fanout.ts";
import { newRequestStats, type RequestStats } from "../lib/nats/stats.ts";

export interface RawFanout {
  wallMs: number;
  replies: number;
  stats: RequestStats;
}

/** One leader-only JSZ request to every server; ends once `servers` replies arrived (or the timeout). */
export async function rawFanout(nc: NatsConnection, servers: number, timeoutMs = 30_000): Promise<RawFanout> {
  const stats = newRequestStats();
  const body = { accounts: true, streams: true, config: true, offset: 0, limit: 256, stream_leader_only: true };
  const t0 = performance.now();
  const r = await sysFanout(nc, "$SYS.REQ.SERVER.PING.JSZ", body, { timeoutMs, stats, expected: () => servers });
  const wallMs = performance.now() - t0;
  if (r.undecodable.length) throw new Error(`raw fan-out: undecodable replies: ${r.undecodable.join("; ")}`);
  return { wallMs, replies: r.replies.length, stats };
}
