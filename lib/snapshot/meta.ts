// What one run saw of the JetStream meta group, in the monitor's own units (milliseconds, epoch ms).
import type { RequestStats } from "../nats/stats.ts";
import type { PeerView } from "./peer.ts";

export interface ServerReport {
  name: string;
  cluster?: string;
  domain?: string;
  version: string;
  /** Who this server believes leads the meta group (undefined: it knows of no leader). */
  metaLeader?: string;
  clusterSize?: number;
}

/** A meta group peer as the meta leader reports it. */
export type MetaPeer = PeerView;

export interface LeaderView {
  /** The meta leader's own name. */
  leader: string;
  clusterSize: number;
  /** The leader's followers as the leader sees them (the leader itself is not listed). */
  peers: MetaPeer[];
}

export interface MetaRaft {
  /** Highest meta-group Raft term any server reported: each election raises it by at least one. */
  term: number;
  reportedBy: string;
}

export interface MetaSnapshot {
  collectedAt: number;
  /** Cluster label: configured, else the name the servers report. */
  cluster: string | undefined;
  /** Set when nothing could be seen at all; the reason, secret-free. */
  blind?: string;
  /** Every answering server runs JetStream without clustering: there is no meta group. */
  standalone?: boolean;
  /** Servers that answered the JSZ fan-out. */
  servers: ServerReport[];
  /** How many servers should have answered (the meta group's size), if any reply said. */
  expectedServers: number | undefined;
  /** The leader's own report of the group, when the leader answered. */
  leaderView?: LeaderView;
  /** Meta group Raft term from RAFTZ (2.10.17+), when available. */
  raft?: MetaRaft;
  /** Half-answered requests and other problems met while collecting. */
  problems: string[];
  stats: RequestStats;
}
