// What the servers send for the $SYS requests nats-lookout makes, snake_case as on the wire.
// Stream-level shapes come from @nats-io/jetstream; only the $SYS envelopes are described here.
// Fields that older servers omit are optional; `active` is a Go time.Duration in nanoseconds.
import type { ClusterInfo, PeerInfo, StreamConfig, StreamSourceInfo, StreamState } from "@nats-io/jetstream";

export type Nanos = number;

export interface ServerInfoWire {
  name: string;
  id: string;
  cluster?: string;
  /** JetStream domain (2.9+, when configured). */
  domain?: string;
  ver: string;
  time?: string;
}

/** Every $SYS.REQ.SERVER.PING.* reply: one per answering server. */
export interface SysEnvelope<T> {
  server: ServerInfoWire;
  data?: T;
  error?: { code: number; description?: string };
}

export interface MetaClusterWire {
  name?: string;
  /** Omitted while the group is leaderless. */
  leader?: string;
  /** This server's peer id; not to be trusted when `leader` is empty. */
  peer?: string;
  cluster_size?: number;
  /** Filled by the meta leader (followers of 2.15+ fill it with their own, unreliable view). */
  replicas?: PeerInfo[];
  /** Since 2.10.21. */
  pending?: number;
}

export interface StreamDetailWire {
  name: string;
  created?: string;
  /** Absent on a single server without clustering. */
  cluster?: ClusterInfo & { raft_group?: string; leader_since?: string };
  /** Only with `config: true`. */
  config?: StreamConfig;
  state?: Partial<StreamState>;
  /** Only on the stream leader's entry. */
  mirror?: StreamSourceInfo;
  sources?: StreamSourceInfo[];
}

export interface AccountDetailWire {
  name: string;
  id?: string;
  stream_detail?: StreamDetailWire[];
}

export interface JszWire {
  server_id?: string;
  now?: string;
  streams?: number;
  consumers?: number;
  meta_cluster?: MetaClusterWire;
  account_details?: AccountDetailWire[];
  /** Set when the server's JetStream is disabled. */
  disabled?: boolean;
}

/** JSZ request options (server/monitor.go JSzOptions). */
export interface JszRequest {
  accounts?: boolean;
  streams?: boolean;
  consumer?: boolean;
  config?: boolean;
  leader_only?: boolean;
  /** Since 2.10.19; older servers ignore it. */
  stream_leader_only?: boolean;
  raft?: boolean;
  /** Pages accounts, not streams. */
  offset?: number;
  limit?: number;
  account?: string;
}

/** One Raft group in a RAFTZ reply (2.10.17+). */
export interface RaftGroupWire {
  id?: string;
  state?: string;
  size?: number;
  quorum_needed?: number;
  term?: number;
  /** The leader's peer id. */
  leader?: string;
  ever_had_leader?: boolean;
  peers?: Record<string, { name?: string; known?: boolean; last_seen?: string }>;
}

/** RAFTZ data: account name -> group name -> group. The meta group is `<system account>._meta_`. */
export type RaftzWire = Record<string, Record<string, RaftGroupWire>>;
