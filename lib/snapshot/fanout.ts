// What every JSZ fan-out slice (streams, consumers) records about the run besides its subjects:
// who answered, who stayed silent, what went half-answered, how many pages it asked for.
import type { RequestStats } from "../nats/stats.ts";
import type { AnsweringServer } from "./streams.ts";

export interface FanoutSnapshot {
  collectedAt: number;
  /** Cluster label: configured, else the cluster name the servers report. */
  cluster: string | undefined;
  blind?: string;
  stats: RequestStats;
  mode: "system" | "account";
  /** JetStream domain the monitor's connection belongs to: subjects elsewhere carry theirs. */
  domain?: string;
  /** Servers that answered (system mode), or the one that answered the listing (account mode). */
  servers: AnsweringServer[];
  /** Servers known to exist that did not answer: what they alone know is unchecked. */
  silent: string[];
  expectedServers?: number;
  /** Half-answered requests and other problems met while collecting. */
  problems: string[];
  /** Pages requested (JSZ account pages, or listing pages in account mode). */
  pages: number;
}
