// How a JSZ fan-out collector (streams, consumers) is asked to collect.
import type { RequestStats } from "../nats/stats.ts";

export interface FanoutOptions {
  timeoutMs: number;
  stats: RequestStats;
  now?: () => number;
  clusterLabel?: string;
  /** Server names earlier runs knew of: who should answer, and who is silent. */
  knownServers?: readonly string[];
  /** Epoch ms after which no further page is asked for. */
  deadline?: number;
}
