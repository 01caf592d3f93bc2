// One request, many replies: the $SYS.REQ.SERVER.PING.* fan-out every JetStream server answers.
// Asks for gzip (every supported server line compresses these replies) and stops as soon as the
// expected number of servers answered, or at the timeout with whatever arrived.
import { gunzipSync } from "node:zlib";
import { headers, type Msg, type NatsConnection } from "@nats-io/transport-node";
import type { RequestStats } from "./stats.ts";
import type { SysEnvelope } from "./wire.ts";

export interface FanoutOptions<T = unknown> {
  timeoutMs: number;
  /** Stop once this many servers answered; asked again after each reply (replies tell the group's size). */
  expected: (repliesSoFar: readonly SysEnvelope<unknown>[]) => number | undefined;
  stats: RequestStats;
  /**
   * Called with each decoded reply as it arrives; the fan-out keeps what it returns instead of the
   * reply (e.g. a slim envelope once the caller folded the rest into its own compact form), so the
   * whole parsed replies need not all be alive at once.
   */
  onReply?: (reply: SysEnvelope<T>) => SysEnvelope<T>;
}

export interface FanoutResult<T> {
  replies: SysEnvelope<T>[];
  /** Replies that could not be decoded, with the reason. */
  undecodable: string[];
  /** True when the timeout ended the wait before `expected` replies arrived. */
  timedOut: boolean;
}

export function decodeMsg(m: Msg, stats: RequestStats): unknown {
  stats.bytesReceived += m.data.length;
  const enc = m.headers?.get("Content-Encoding");
  const raw = enc === "gzip" ? gunzipSync(m.data) : m.data;
  stats.bytesDecoded += raw.length;
  return JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("utf8"));
}

export async function sysFanout<T>(
  nc: NatsConnection,
  subject: string,
  body: unknown,
  opts: FanoutOptions<T>,
): Promise<FanoutResult<T>> {
  const h = headers();
  h.set("Accept-Encoding", "gzip");
  opts.stats.requests++;
  const replies: SysEnvelope<T>[] = [];
  const undecodable: string[] = [];
  const started = Date.now();
  const iter = await nc.requestMany(subject, JSON.stringify(body ?? {}), {
    strategy: "timer",
    maxWait: opts.timeoutMs,
    headers: h,
  });
  let complete = false;
  for await (const m of iter) {
    let reply: SysEnvelope<T> | undefined;
    try {
      reply = decodeMsg(m, opts.stats) as SysEnvelope<T>;
    } catch (e) {
      undecodable.push(`${m.subject}: ${(e as Error).message}`);
    }
    if (reply !== undefined) replies.push(opts.onReply ? opts.onReply(reply) : reply);
    const want = opts.expected(replies);
    if (want !== undefined && replies.length >= want) {
      complete = true;
      break;
    }
  }
  return { replies, undecodable, timedOut: !complete && Date.now() - started >= opts.timeoutMs - 5 };
}
