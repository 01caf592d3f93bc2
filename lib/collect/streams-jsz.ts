// System mode: one `$SYS.REQ.SERVER.PING.JSZ` fan-out per page of accounts (every server answers
// with its own streams), never a request per stream. Two passes at most: `stream_leader_only`
// first (2.10.19+; older servers ignore it: replies a third the size, a third the parsing), and a
// full fan-out only when the holder accounting says a stream vanished from the first.
// The pure parts: jsz-fold.ts (replies into a snapshot), jsz-holders.ts (whether a second pass is
// needed); the paging I/O: jsz-pages.ts.
import type { NatsConnection } from "@nats-io/transport-node";
import type { StreamsSnapshot } from "../snapshot/streams.ts";
import type { JszParseOptions } from "./jsz-fold.ts";
import { fullFanoutFor } from "./jsz-holders.ts";
import { fetchPages } from "./jsz-pages.ts";
import type { StreamsCollectOptions } from "./streams.ts";

export { expectedServerCount, JszFold, parseJszReplies, type JszParseOptions } from "./jsz-fold.ts";
export { fullFanoutFor, unaccountedHolders } from "./jsz-holders.ts";
export { DEFAULT_ACCOUNTS_PER_PAGE } from "./jsz-pages.ts";

export async function collectStreamsSystem(nc: NatsConnection, o: StreamsCollectOptions): Promise<StreamsSnapshot> {
  const now = o.now ?? Date.now;
  const collectedAt = now();
  const leaderOnly = o.streamLeaderOnly ?? true;
  let pass = await fetchPages(nc, o, leaderOnly);
  let pages = pass.pages;
  const first = pass;
  const unaccounted = () => first.fold.unaccountedHolders();
  const fullFor = fullFanoutFor({ leaderOnly, received: first.received, unaccounted });
  if (fullFor.length && (o.deadline === undefined || now() < o.deadline)) {
    pass = await fetchPages(nc, o, false);
    pages += pass.pages;
  }
  const p: JszParseOptions = { collectedAt, timeoutMs: o.timeoutMs, stats: o.stats };
  if (o.clusterLabel) p.clusterLabel = o.clusterLabel;
  // The connected server's INFO names its domain when it has one: no domain there means none.
  if (nc.info) p.connectedDomain = (nc.info as { domain?: string }).domain ?? "";
  if (o.knownServers) p.knownServers = o.knownServers;
  if (leaderOnly && !fullFor.length) p.streamLeaderOnly = true;
  const snap = pass.fold.finish(p);
  snap.problems.unshift(...pass.problems);
  snap.pages = pages;
  if (fullFor.length) snap.fullFanoutFor = fullFor;
  return snap;
}
