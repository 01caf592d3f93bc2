// What the servers send for the $SYS requests nats-lookout makes, snake_case as on the wire.
// Stream-level shapes come from @nats-io/jetstream; only the $SYS envelopes are described here.
// Fields that older servers omit are optional; `active` is a Go time.Duration in nanoseconds.
import type {
  ApiError,
  ClusterInfo,
  ExternalStream,
  PeerInfo,
  StreamConfig,
  StreamInfo,
  StreamSourceInfo,
  StreamState,
} from "@nats-io/jetstream";

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

/**
 * A mirror's or source's state. @nats-io/jetstream leaves out what the server sends besides:
 * `external` (an upstream in another domain or account) and `filter_subject`. `active` is -1 while
 * the upstream was never heard from.
 */
export type StreamSourceInfoWire = StreamSourceInfo & { external?: ExternalStream; filter_subject?: string };

export interface StreamDetailWire {
  name: string;
  created?: string;
  /**
   * Absent on a single server without clustering. While the group is leaderless `leader` is omitted
   * and `replicas` lists the answering server too.
   */
  cluster?: ClusterInfo & { raft_group?: string; leader_since?: string };
  /** Only with `config: true`. `metadata` since 2.10 (2.9 drops it). */
  config?: StreamConfig;
  state?: Partial<StreamState>;
  /** Mirror and sources state: only on the stream leader's entry (and, briefly, a leaderless one). */
  mirror?: StreamSourceInfoWire;
  sources?: StreamSourceInfoWire[];
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

/** `$JS.API.STREAM.LIST` reply (account mode): 256 streams a page, asked from each stream leader by the meta leader. */
export interface StreamListWire {
  type?: string;
  error?: ApiError;
  total?: number;
  offset?: number;
  limit?: number;
  streams?: (Omit<StreamInfo, "mirror" | "sources" | "state" | "cluster"> & {
    cluster?: StreamDetailWire["cluster"];
    state?: Partial<StreamState>;
    mirror?: StreamSourceInfoWire;
    sources?: StreamSourceInfoWire[];
  })[];
  /** Streams whose leader did not answer in time (their info is not in `streams`). */
  missing?: string[];
  /** Since 2.11.9: streams that could not be loaded, by name, with the reason. */
  offline?: Record<string, string>;
}

/** `$SYS.REQ.USER.INFO`: who this connection is (any user may ask). */
export interface UserInfoWire {
  user?: string;
  /** The account: its name, or with JWT accounts its public key. */
  account?: string;
  /** Since 2.11: the account's name when `account` is a key. */
  account_name?: string;
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
