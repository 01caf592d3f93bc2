// The $SYS.REQ.SERVER.PING.{VARZ,HEALTHZ,ROUTEZ,GATEWAYZ,LEAFZ,ACCOUNTZ} and $SYS.REQ.ACCOUNT.PING.STATZ payloads,
// snake_case as on the wire, only the fields the servers slice reads. Which server line sends which: docs/servers.md.

export interface VarzWire {
  server_id?: string;
  server_name?: string;
  version?: string;
  auth_required?: boolean;
  max_connections?: number;
  start?: string;
  /** This server's cluster: its name and the route URLs of its peers. */
  cluster?: { name?: string; urls?: string[] };
  cores?: number;
  cpu?: number;
  connections?: number;
  slow_consumers?: number;
  /** 2.11+. */
  stale_connections?: number;
  /** 2.11+. */
  stalled_clients?: number;
  jetstream?: {
    config?: { max_memory?: number; max_storage?: number; domain?: string };
    stats?: { memory?: number; storage?: number; reserved_memory?: number; reserved_storage?: number };
    meta?: { name?: string; leader?: string; cluster_size?: number; pending?: number };
  };
}

export interface HealthzWire {
  status?: string;
  status_code?: number;
  error?: string;
  /** With `details` (2.10+). */
  errors?: { type?: string; account?: string; stream?: string; consumer?: string; error?: string }[];
}

export interface RoutezWire {
  routes?: { remote_id?: string; remote_name?: string; rtt?: string }[] | null;
}

export interface GatewayzWire {
  outbound_gateways?: Record<string, { connection?: { rtt?: string; name?: string } }> | null;
}

export interface LeafzWire {
  leafs?: { name?: string; account?: string; rtt?: string }[] | null;
}

/** `$SYS.REQ.ACCOUNT.PING.STATZ` (2.9+): one entry per account the server holds, with `include_unused`. */
export interface AccountStatzWire {
  account_statz?: { acc?: string; name?: string; slow_consumers?: number }[] | null;
}

/** `$SYS.REQ.SERVER.PING.ACCOUNTZ` with `{"account": ...}`: the account as this server holds it. */
export interface AccountzWire {
  account_detail?: {
    account_name?: string;
    name_tag?: string;
    expired?: boolean;
    /** The account JWT's claims (operator mode only; accounts from the configuration have none). */
    decoded_jwt?: { exp?: number; name?: string; sub?: string };
  };
}
