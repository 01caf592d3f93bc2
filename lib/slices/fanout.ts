// What the JSZ fan-out slices (streams, consumers) share: how their collectors are asked (bounded by
// the request timeout and the run's deadline, waiting for the servers earlier runs knew) and what a
// blind run of theirs records.
import type { FanoutOptions } from "../collect/fanout-options.ts";
import type { FanoutSnapshot } from "../snapshot/fanout.ts";
import type { CollectContext } from "./slice.ts";

export function fanoutOptions(ctx: CollectContext<{ knownServers: string[] }>): FanoutOptions {
  const o: FanoutOptions = { timeoutMs: ctx.config.timeouts.requestMs, stats: ctx.stats, now: ctx.now };
  if (ctx.config.clusterLabel) o.clusterLabel = ctx.config.clusterLabel;
  if (ctx.previous?.knownServers.length) o.knownServers = ctx.previous.knownServers;
  if (ctx.deadline !== undefined) o.deadline = ctx.deadline;
  return o;
}

/** The run record of a fan-out slice that could not connect. */
export function blindFanout(reason: string, ctx: CollectContext<unknown>): FanoutSnapshot & { gaps: [] } {
  const base = { collectedAt: ctx.now(), cluster: ctx.config.clusterLabel, blind: reason, stats: ctx.stats };
  return { ...base, mode: ctx.config.mode, servers: [], silent: [], gaps: [], problems: [], pages: 0 };
}
