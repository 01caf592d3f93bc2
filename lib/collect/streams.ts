// Collects the streams slice into a StreamsSnapshot, in system mode (streams-jsz.ts) or account mode
// (stream-list.ts). Judges nothing: what could not be fetched becomes a problem, a gap or `blind`.
import type { FanoutOptions } from "./fanout-options.ts";
import type { NatsConnection } from "@nats-io/transport-node";
import type { StreamsSnapshot } from "../snapshot/streams.ts";
import { collectStreamsAccount } from "./stream-list.ts";
import { collectStreamsSystem } from "./streams-jsz.ts";

export {
  ACCOUNT_FALLBACK,
  collectStreamsAccount,
  parseStreamList,
  type StreamListParseOptions,
} from "./stream-list.ts";
export { domainOfApi, parsePeers, parseUpstream, streamView } from "./stream-parse.ts";
export {
  collectStreamsSystem,
  DEFAULT_ACCOUNTS_PER_PAGE,
  expectedServerCount,
  parseJszReplies,
  unaccountedHolders,
  type JszParseOptions,
} from "./streams-jsz.ts";

export interface StreamsCollectOptions extends FanoutOptions {
  /** Accounts per JSZ page (the server's own default is 1024). */
  accountsPerPage?: number;
  /**
   * Ask servers 2.10.19+ for the streams they lead only (default true), asking again without it
   * when their stream counts show streams no leader reported. False: always the full fan-out.
   */
  streamLeaderOnly?: boolean;
}

export function collectStreams(
  nc: NatsConnection,
  mode: "system" | "account",
  o: StreamsCollectOptions,
): Promise<StreamsSnapshot> {
  return mode === "account" ? collectStreamsAccount(nc, o) : collectStreamsSystem(nc, o);
}
