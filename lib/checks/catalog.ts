// Every check nats-lookout runs: id, public catalog code, and the operator knowledge that travels
// with each finding (why it matters, what to do, which `nats` commands confirm it), condensed from
// the seed write-ups. The README's table of checks is generated from this list (scripts/gen-readme.ts).
import type { Finding, FindingValue, Severity, Subject } from "../findings/finding.ts";

import type { SliceName } from "../core/slice-name.ts";

export type { SliceName };

export interface CheckDefinition {
  id: string;
  code: string | null;
  /** Every slice that emits it (the monitor_* checks exist in each). */
  slices: readonly SliceName[];
  title: string;
  severity: Severity;
  /** What makes it fire, for the README. */
  firesWhen: string;
  /** `io.nats.monitor.*` key or configuration key that sets its threshold, if any. */
  threshold?: string;
  /** Shipped default, for the README. */
  default?: string;
  why: string;
  action: string;
  commands: string[];
}

const defs = [
  // ---- the monitor itself
  {
    id: "monitor_blind", code: null, slices: ["meta", "streams", "consumers", "servers"], severity: "critical", title: "Monitor is blind",
    firesWhen: "the monitor cannot connect, authenticate or get any answer from the cluster",
    why: "Nothing else can be checked while the monitor sees nothing: an outage would go unnoticed.",
    action: "Check the NATS URLs, credentials and TLS settings of the monitor, and that the servers are up and reachable from it.",
    commands: ["nats server ping", "nats server list"],
  },
  {
    id: "monitor_partial", code: null, slices: ["meta", "streams", "consumers", "servers"], severity: "warning", title: "Servers silent to the monitor",
    firesWhen: "fewer servers answered the JSZ fan-out than are known to exist (the meta group, servers seen in earlier runs), or streams could not be judged",
    why: "A server that does not answer may be hung or partitioned; what it alone knows (streams it leads) goes unchecked.",
    action: "Check the named servers' health and routes; a hung process answers TCP but nothing else.",
    commands: ["nats server ping", "nats server report jetstream"],
  },
  // ---- meta group
  {
    id: "meta_quorum_lost", code: "META_006", slices: ["meta"], severity: "critical", title: "Meta quorum lost",
    firesWhen: "no meta leader, or online peers < floor(N/2)+1",
    why: "Without meta quorum the JetStream API stalls cluster-wide: no new streams, consumers or configuration changes.",
    action: "Bring enough meta peers back online to restore a majority; peer-remove only servers that are gone for good, once quorum is back.",
    commands: ["nats server report jetstream", "nats server list"],
  },
  {
    id: "meta_offline_replica", code: "META_001", slices: ["meta"], severity: "critical", title: "Meta replica offline",
    firesWhen: "a meta group peer is marked offline",
    why: "The meta group has lost fault tolerance: further failures can stall the JetStream API cluster-wide.",
    action: "Restart the server (check disk, memory, OOM kills first); if it is gone for good, remove it with `nats server cluster peer-remove`.",
    commands: ["nats server report jetstream", "nats server list", "curl -s http://<server>:8222/healthz"],
  },
  {
    id: "meta_peer_seen", code: null, slices: ["meta"], severity: "critical", title: "Meta peer not seen",
    firesWhen: "the meta leader has not heard from a peer for longer than the threshold; stays firing while the peer is offline (META_001) or unreported",
    threshold: "thresholds.meta.peer-seen-critical", default: "30s",
    why: "A hung or partitioned server stops taking part in the meta group minutes before it is marked offline; one more failure loses quorum.",
    action: "Check the named server: process hung (SIGSTOP, GC, disk stall), network partition, or resource exhaustion; restart it if it is hung.",
    commands: ["nats server report jetstream", "nats rtt --server <server-url>", "nats server info <server>"],
  },
  {
    id: "meta_peer_lag", code: null, slices: ["meta"], severity: "critical", title: "Meta peer lagging",
    firesWhen: "a meta peer is more Raft entries behind the leader than the threshold",
    threshold: "thresholds.meta.peer-lag-critical", default: "off",
    why: "A lagging meta peer cannot take over as leader promptly and may be struggling with disk or CPU.",
    action: "Check the peer's disk I/O and CPU; it should catch up by itself once the pressure is gone.",
    commands: ["nats server report jetstream"],
  },
  {
    id: "meta_leader_split", code: "META_002", slices: ["meta"], severity: "critical", title: "More than one meta leader",
    firesWhen: "more than one answering server claims to be the meta leader",
    why: "Two servers acting as meta leader at once means a partition split the group: API changes accepted by one side may be lost.",
    action: "Find the partition (routes between the claimants' sides) and heal it; the side without a majority steps down once it sees the others.",
    commands: ["nats server report jetstream", "nats server list", "nats server report routes"],
  },
  {
    id: "meta_leader_disagreement", code: null, slices: ["meta"], severity: "warning", title: "Meta leader disagreement",
    firesWhen: "servers that know a meta leader name different ones (a server that knows none, as during an election, is not a disagreement)",
    why: "Servers that disagree on the meta leader point at a partition or an election in progress; API requests may fail.",
    action: "Check routes between the servers and look for a partition; run the check again to see if it settles.",
    commands: ["nats server report jetstream", "nats server list"],
  },
  {
    id: "meta_leader_flapping", code: "META_003", slices: ["meta"], severity: "warning", title: "Meta leader flapping",
    firesWhen: "more leader changes than allowed that certainly fell inside the window (by Raft term where the server reports it, else by leader name; changes between two runs further apart than the window are not counted)",
    threshold: "thresholds.meta.flap-max-changes / flap-window", default: "more than 1 change in 10m",
    why: "Every meta election stalls the JetStream API and can cascade into stream elections; repeated ones mean instability.",
    action: "Look for network instability, CPU saturation or disk stalls on the servers that held leadership; step down to a healthier node meanwhile.",
    commands: ["nats server report jetstream", "nats event --js-advisory", "nats server cluster step-down"],
  },
  {
    id: "meta_leader_changes_unplaced", code: null, slices: ["meta"], severity: "info", title: "Meta leader changes while unwatched",
    firesWhen: "the meta leader changed between two runs further apart than the flap window (monitor down, schedule sparser than the window), so META_003 cannot place those changes inside its window",
    why: "Elections happened while the monitor was not looking often enough to tell whether they were a flap; META_003 does not count them.",
    action: "Check when and why the leader moved (server logs, advisories); run the meta slice more often than the flap window.",
    commands: ["nats server report jetstream", "nats event --js-advisory"],
  },
  {
    id: "meta_cluster_shrunk", code: "META_009", slices: ["meta"], severity: "critical", title: "Meta cluster size decreased",
    firesWhen: "the meta leader lists fewer distinct peers than in the previous run (its `cluster_size` number is not used: it blips)",
    why: "A peer left the meta group (peer-removed or lost): fault tolerance is lower than it was.",
    action: "Confirm the removal was planned; otherwise restore or replace the server.",
    commands: ["nats server report jetstream", "nats server list"],
  },
  // ---- streams
  {
    id: "stream_quorum_lost", code: "JETSTREAM_008", slices: ["streams"], severity: "critical", title: "Stream quorum lost",
    firesWhen: "no stream leader, or online peers < floor(R/2)+1",
    why: "Without quorum the stream rejects every publish and may be unreadable: applications fail now.",
    action: "Bring the stream's servers back; if a peer is gone for good and quorum holds, `nats stream cluster peer-remove`.",
    commands: ["nats stream info <stream>", "nats stream report", "nats server report jetstream"],
  },
  {
    id: "stream_replica_offline", code: null, slices: ["streams"], severity: "critical", title: "Stream replica offline",
    firesWhen: "a follower replica is marked offline",
    why: "The stream runs without a replica: one more failure may lose quorum and stop writes.",
    action: "Restart the replica's server, or replace the peer with `nats stream cluster peer-remove <stream> <server>`.",
    commands: ["nats stream info <stream>", "nats server report jetstream --streams"],
  },
  {
    id: "stream_peer_seen", code: "JETSTREAM_023", slices: ["streams"], severity: "critical", title: "Stream replica not seen",
    firesWhen: "a follower's last contact with the leader is older than the threshold; stays firing while the follower is offline",
    threshold: "io.nats.monitor.peer-seen-critical", default: "1m",
    why: "The replica has stopped taking part in its Raft group (hung, partitioned, disk stall): the stream is one failure from losing quorum.",
    action: "Check quorum first; then the replica's server (process hung, network partition, disk or resource exhaustion); restart or peer-remove it.",
    commands: ["nats stream info <stream>", "nats rtt --server <server-url>", "nats server report jetstream"],
  },
  {
    id: "stream_peer_lag", code: "JETSTREAM_022", slices: ["streams"], severity: "critical", title: "Stream replica lagging",
    firesWhen: "a follower is more Raft entries behind than the threshold",
    threshold: "io.nats.monitor.peer-lag-critical", default: "off",
    why: "A lagging replica is not keeping up: a failover to it would lose or delay data.",
    action: "Check the replica server's disk and network; it catches up once the pressure is gone.",
    commands: ["nats stream info <stream>", "nats stream report"],
  },
  {
    id: "stream_peer_expect", code: "JETSTREAM_021", slices: ["streams"], severity: "critical", title: "Unexpected replica count",
    firesWhen: "peers differ from `peer-expect` (only when set)",
    threshold: "io.nats.monitor.peer-expect", default: "unset",
    why: "The stream does not have the redundancy it was meant to have.",
    action: "Check the stream's replica setting and placement; `nats stream edit --replicas`.",
    commands: ["nats stream info <stream>"],
  },
  {
    id: "mirror_seen", code: "JETSTREAM_018", slices: ["streams"], severity: "critical", title: "Mirror not seen",
    firesWhen: "the mirror has not heard from its source for longer than the threshold, whatever its lag; or never, once older than it",
    threshold: "io.nats.monitor.seen-critical", default: "off",
    why: "The mirror has stopped replicating: in a failover, everything since it was last seen is missing.",
    action: "Check gateway/leafnode links to the source, that the source exists, and auth changes; step down the mirror to recreate its consumer.",
    commands: ["nats stream info <mirror>", "nats server report leafnodes", "nats server report gateways", "nats stream cluster step-down <mirror>"],
  },
  {
    id: "mirror_lag", code: "JETSTREAM_017", slices: ["streams"], severity: "critical", title: "Mirror lagging",
    firesWhen: "the mirror is more messages behind its source than the threshold",
    threshold: "io.nats.monitor.lag-critical", default: "off",
    why: "The mirror is behind: a failover now would lose the lagging messages.",
    action: "Check the link's throughput and the mirror leader's load.",
    commands: ["nats stream info <mirror>"],
  },
  {
    id: "source_seen", code: null, slices: ["streams"], severity: "critical", title: "Source not seen",
    firesWhen: "a source has not been heard from for longer than the threshold",
    threshold: "io.nats.monitor.seen-critical", default: "off",
    why: "The aggregate stream no longer receives this source's messages.",
    action: "Check the link to the source and that the source stream exists.",
    commands: ["nats stream info <stream>"],
  },
  {
    id: "source_lag", code: null, slices: ["streams"], severity: "critical", title: "Source lagging",
    firesWhen: "a source is more messages behind than the threshold",
    threshold: "io.nats.monitor.lag-critical", default: "off",
    why: "The stream is behind one of its sources.",
    action: "Check the link's throughput and the stream leader's load.",
    commands: ["nats stream info <stream>"],
  },
  {
    id: "replication_error", code: null, slices: ["streams"], severity: "critical", title: "Mirror or source error",
    firesWhen: "the server reports an error on the mirror or a source",
    why: "Replication is failing with an error the server knows about (jsm.go ignores it).",
    action: "Read the error; fix the source name, permissions or link it names.",
    commands: ["nats stream info <stream> --json"],
  },
  {
    id: "sources_min", code: "JETSTREAM_019", slices: ["streams"], severity: "critical", title: "Too few sources",
    firesWhen: "fewer sources than `min-sources`", threshold: "io.nats.monitor.min-sources", default: "unset",
    why: "The stream aggregates fewer upstreams than intended.", action: "Add the missing sources.", commands: ["nats stream info <stream>"],
  },
  {
    id: "sources_max", code: "JETSTREAM_020", slices: ["streams"], severity: "critical", title: "Too many sources",
    firesWhen: "more sources than `max-sources`", threshold: "io.nats.monitor.max-sources", default: "unset",
    why: "The stream aggregates more upstreams than intended.", action: "Remove unintended sources.", commands: ["nats stream info <stream>"],
  },
  {
    id: "stream_messages", code: "JETSTREAM_024", slices: ["streams"], severity: "warning", title: "Message count",
    firesWhen: "messages cross `msgs-warn`/`msgs-critical` (upward when critical > warn, downward when critical < warn)",
    threshold: "io.nats.monitor.msgs-warn / msgs-critical", default: "unset",
    why: "The stream holds more (or fewer) messages than its owners expect.", action: "Check producers, consumers and limits.", commands: ["nats stream info <stream>"],
  },
  {
    id: "stream_subjects", code: "JETSTREAM_025", slices: ["streams"], severity: "warning", title: "Subject count",
    firesWhen: "subjects cross `subjects-warn`/`subjects-critical` (direction as for messages)",
    threshold: "io.nats.monitor.subjects-warn / subjects-critical", default: "unset",
    why: "The stream holds more (or fewer) subjects than expected.", action: "Check what publishes to it.", commands: ["nats stream subjects <stream>"],
  },
  {
    id: "stream_messages_near_limit", code: "JETSTREAM_003", slices: ["streams"], severity: "warning", title: "Stream near its message limit",
    firesWhen: "messages >= 90% of max_msgs (only for a stream with a `max_msgs` limit)", default: "90%",
    why: "At its limit the stream discards its oldest messages (or, with discard new, rejects publishes): data consumers have not read yet may be lost.",
    action: "Raise `max_msgs` (`nats stream edit <stream> --max-msgs`), speed up consumers, or confirm that losing the oldest messages is intended.",
    commands: ["nats stream info <stream>", "nats stream report"],
  },
  {
    id: "stream_bytes_near_limit", code: "JETSTREAM_010", slices: ["streams"], severity: "warning", title: "Stream near its byte limit",
    firesWhen: "bytes >= 90% of max_bytes (only for a stream with a `max_bytes` limit)", default: "90%",
    why: "At its limit the stream discards its oldest messages (or, with discard new, rejects publishes): data consumers have not read yet may be lost.",
    action: "Raise `max_bytes` (`nats stream edit <stream> --max-bytes`), check message sizes and consumers, or confirm that losing the oldest messages is intended.",
    commands: ["nats stream info <stream>", "nats stream report"],
  },
  {
    id: "mirror_stalled", code: "JETSTREAM_015", slices: ["streams"], severity: "warning", title: "Mirror stalled at zero lag",
    firesWhen: "mirror lag 0, not heard from for more than the threshold, and its source's last sequence is above what it was at the last run in which the mirror was not yet stalled (an idle source never fires)",
    threshold: "thresholds.streams.mirror-stall-after", default: "5m",
    why: "The mirror looks caught up but is not replicating: a failover would silently lose everything since the stall.",
    action: "Step down the mirror to recreate its internal consumer; check links to the source domain.",
    commands: ["nats stream info <mirror>", "nats stream info <source>", "nats stream cluster step-down <mirror>"],
  },
  {
    id: "threshold_invalid", code: null, slices: ["streams"], severity: "warning", title: "Malformed threshold",
    firesWhen: "an `io.nats.monitor.*` value or override does not parse",
    why: "The check it configures cannot run as its owner intended; the stream's other checks still run.",
    action: "Fix the value: durations like 30s, 5m, 1h30m (a bare number means seconds), counts as integers.",
    commands: ["nats stream info <stream> --json | jq .config.metadata"],
  },
  {
    id: "stream_unavailable", code: null, slices: ["streams"], severity: "critical", title: "Stream did not report",
    firesWhen: "the listing names a stream as missing or offline",
    why: "The stream's leader did not answer: it may be leaderless or all its peers offline.",
    action: "Check the stream's servers and its quorum.",
    commands: ["nats stream info <stream>", "nats stream report"],
  },
  // ---- servers (the servers slice: VARZ, HEALTHZ, ROUTEZ, GATEWAYZ, LEAFZ)
  {
    id: "server_health", code: "SERVER_001", slices: ["servers"], severity: "critical", title: "Server unhealthy",
    firesWhen: "a server's HEALTHZ status is not ok for a connection problem, a bad request or no typed reason (the server's text in the summary)",
    why: "The server itself says it cannot serve: clients and peers connected to it are affected.",
    action: "Read the server's error text and log; check its process, disk and network, then restart it if it does not recover.",
    commands: ["nats server check connection --server <server-url>", "curl -s http://<server>:8222/healthz?details=true"],
  },
  {
    id: "server_health_jetstream", code: "SERVER_014", slices: ["servers"], severity: "critical", title: "JetStream unhealthy on a server",
    firesWhen: "HEALTHZ reports a JETSTREAM error (not enabled, not current with the meta group, recovering)",
    why: "The server cannot serve JetStream: the streams and consumers it holds lose a replica, or their leader.",
    action: "Check the server's JetStream log lines (storage directory, meta group catch-up); restart it if it stays unhealthy.",
    commands: ["curl -s http://<server>:8222/healthz?details=true", "nats server report jetstream"],
  },
  {
    id: "server_health_asset", code: "SERVER_015", slices: ["servers"], severity: "critical", title: "Stream or consumer unhealthy on a server",
    firesWhen: "HEALTHZ names a stream or consumer that failed to recover or is not current (one finding each, named)",
    why: "A replica that failed to recover serves nothing and weakens its group's quorum; a lost leader stops the stream.",
    action: "Check the named stream or consumer with `nats stream info`; look for recovery errors in the server log; a damaged replica may need to be removed and re-added.",
    commands: ["nats stream info <stream>", "nats consumer info <stream> <consumer>", "curl -s http://<server>:8222/healthz?details=true"],
  },
  {
    id: "server_health_account", code: "SERVER_016", slices: ["servers"], severity: "warning", title: "Account unhealthy on a server",
    firesWhen: "HEALTHZ reports an ACCOUNT error (an account could not be resolved or its JetStream not enabled)",
    why: "Clients of that account cannot use JetStream on this server.",
    action: "Check the account resolver and the account's JWT or configuration on that server.",
    commands: ["curl -s http://<server>:8222/healthz?details=true", "nats server request accounts"],
  },
  {
    id: "server_js_memory_reserved", code: "SERVER_005", slices: ["servers"], severity: "warning", title: "JetStream memory near reserved",
    firesWhen: "JetStream memory used >= 90% of the memory streams reserved on the server",
    threshold: "thresholds.servers.memory-warn-percent", default: "90",
    why: "Memory streams are close to what they reserved: publishes will soon be rejected or old messages discarded.",
    action: "Raise the streams' limits (and the server's max_memory_store) or move memory streams to file storage.",
    commands: ["nats server report jetstream", "nats stream report"],
  },
  {
    id: "server_js_memory_reserved_critical", code: "JETSTREAM_007", slices: ["servers"], severity: "critical", title: "JetStream memory at reserved",
    firesWhen: "JetStream memory used >= 95% of the memory streams reserved on the server",
    threshold: "thresholds.servers.memory-critical-percent", default: "95",
    why: "Memory streams are at what they reserved: publishes are rejected or old messages discarded now.",
    action: "Raise the streams' limits (and the server's max_memory_store) or move memory streams to file storage.",
    commands: ["nats server report jetstream", "nats stream report"],
  },
  {
    id: "server_js_memory_max", code: null, slices: ["servers"], severity: "warning", title: "JetStream memory near the server's maximum",
    firesWhen: "JetStream memory used >= 90% (warning) / 95% (critical) of the server's max_memory_store",
    threshold: "thresholds.servers.memory-warn-percent / memory-critical-percent", default: "90 / 95",
    why: "At max_memory_store the server refuses new memory-stream data on every stream it holds.",
    action: "Raise max_memory_store, shrink memory streams' limits, or move streams to file storage.",
    commands: ["nats server report jetstream", "nats server info <server>"],
  },
  {
    id: "server_js_storage_reserved", code: "SERVER_017", slices: ["servers"], severity: "warning", title: "JetStream storage near reserved",
    firesWhen: "JetStream storage used >= 90% of the storage streams reserved on the server",
    threshold: "thresholds.servers.storage-warn-percent", default: "90",
    why: "File streams are close to what they reserved: publishes will soon be rejected or old messages discarded.",
    action: "Raise the streams' limits (and max_file_store) or add storage.",
    commands: ["nats server report jetstream", "nats stream report"],
  },
  {
    id: "server_js_storage_max", code: "SERVER_019", slices: ["servers"], severity: "warning", title: "JetStream storage near the server's maximum",
    firesWhen: "JetStream storage used >= 90% (warning) / 95% (critical) of the server's max_file_store",
    threshold: "thresholds.servers.storage-warn-percent / storage-critical-percent", default: "90 / 95",
    why: "At max_file_store the server refuses new data for every file stream it holds.",
    action: "Raise max_file_store (with the disk behind it), shrink streams' limits or move streams to other servers.",
    commands: ["nats server report jetstream", "df -h <store_dir>"],
  },
  {
    id: "server_cpu", code: "SERVER_003", slices: ["servers"], severity: "warning", title: "High CPU per core",
    firesWhen: "the server's CPU use divided by its cores >= 90%",
    threshold: "thresholds.servers.cpu-per-core-warn-percent", default: "90",
    why: "A saturated server answers late: Raft heartbeats slip, leaders change and clients time out.",
    action: "Find the load (connections, subscriptions, JetStream API rate) and spread it, or add cores.",
    commands: ["nats server list", "nats top"],
  },
  {
    id: "server_connections", code: "SERVER_011", slices: ["servers"], severity: "warning", title: "Connections near max_connections",
    firesWhen: "client connections >= 80% of the server's max_connections",
    threshold: "thresholds.servers.connections-warn-percent", default: "80",
    why: "At max_connections the server refuses new clients.",
    action: "Find who holds the connections (a leak, a reconnect storm) or raise max_connections.",
    commands: ["nats server report connections", "nats server list"],
  },
  {
    id: "server_restarted", code: "SERVER_008", slices: ["servers"], severity: "critical", title: "Server restarted",
    firesWhen: "the server's start time changed since the last run and its version did not (firing for 10 minutes after the start)",
    threshold: "thresholds.servers.restart-alert-for", default: "10m",
    why: "A restart nobody planned is a crash, an OOM kill or a host event; its replicas had to catch up.",
    action: "Read the server's log and the host's (OOM killer, panics) around the start time.",
    commands: ["nats server list", "nats server info <server>", "journalctl -u nats-server"],
  },
  {
    id: "server_crash_loop", code: "SERVER_009", slices: ["servers"], severity: "critical", title: "Server crash loop",
    firesWhen: "more than 2 start times of the server seen within an hour",
    threshold: "thresholds.servers.crash-loop-starts / crash-loop-window", default: "2 / 1h",
    why: "A server that keeps restarting never finishes catching up; each restart costs its groups a replica and maybe a leader.",
    action: "Stop the loop: read the panic or kill reason in the log, check disk, memory limits and configuration.",
    commands: ["nats server list", "journalctl -u nats-server"],
  },
  {
    id: "server_upgraded", code: null, slices: ["servers"], severity: "info", title: "Server upgraded",
    firesWhen: "the server restarted with another version (information, for 10 minutes after the start)",
    threshold: "thresholds.servers.restart-alert-for", default: "10m",
    why: "A version change explains a restart: it is recorded, not paged.",
    action: "Nothing, if the upgrade was planned; otherwise find who changed the binary.",
    commands: ["nats server list"],
  },
  {
    id: "server_slow_consumers", code: "SERVER_004", slices: ["servers"], severity: "critical", title: "New slow consumers",
    firesWhen: "the server's slow consumer count rose since the last run (same process)",
    why: "The server dropped a client, route or gateway that could not keep up: messages to it were lost.",
    action: "Find the slow client (nats server report connections) and fix its processing or its network; raise write_deadline only with care.",
    commands: ["nats server report connections --sort pending", "nats server info <server>"],
  },
  {
    id: "server_stale_connections", code: "SERVER_012", slices: ["servers"], severity: "warning", title: "New stale connections",
    firesWhen: "the server's stale connection count rose since the last run (2.11+)",
    why: "Connections that missed their pings were closed: clients or the network between them and the server are failing.",
    action: "Check the clients' hosts and the network path; look for paused processes.",
    commands: ["nats server report connections"],
  },
  {
    id: "server_stalled_clients", code: "SERVER_013", slices: ["servers"], severity: "warning", title: "New stalled clients",
    firesWhen: "the server's stalled client count rose since the last run (2.11+)",
    why: "Producers were slowed because a reader could not keep up: publish latency rose.",
    action: "Find the slow readers and the fast producers; spread the load.",
    commands: ["nats server report connections --sort pending"],
  },
  {
    id: "server_not_answering", code: null, slices: ["servers"], severity: "critical", title: "Server not answering",
    firesWhen: "a server seen in an earlier run (within a day) answers no VARZ request now; the summary says for how long",
    threshold: "thresholds.servers.forget-after", default: "24h",
    why: "A server that answers nothing is down, hung or cut off: what it alone serves is unavailable.",
    action: "Check the process and host; a hung process answers TCP but nothing else.",
    commands: ["nats server ping", "nats server list"],
  },
  {
    id: "server_version_differs", code: "SERVER_002", slices: ["servers"], severity: "warning", title: "Version differs from the cluster",
    firesWhen: "a server runs another version than most servers of its own cluster",
    why: "Mixed versions are fine during a rolling upgrade only: features and fixes differ between members.",
    action: "Finish (or roll back) the upgrade of the named server.",
    commands: ["nats server list"],
  },
  {
    id: "server_auth_not_required", code: "SERVER_007", slices: ["servers"], severity: "critical", title: "Authentication not required",
    firesWhen: "a server accepts clients without authentication",
    why: "Anyone who reaches the port can publish, subscribe and use JetStream.",
    action: "Configure authentication (users, nkeys or JWT accounts) on every server.",
    commands: ["nats server info <server>"],
  },
  {
    id: "meta_even_size", code: "META_007", slices: ["servers"], severity: "warning", title: "Even meta group size",
    firesWhen: "the JetStream meta group has an even number of members (read from VARZ, which this slice reads anyway)",
    why: "An even group tolerates no more failures than one member fewer, and a split in half has no majority.",
    action: "Run an odd number of JetStream servers per domain.",
    commands: ["nats server report jetstream"],
  },
  {
    id: "meta_leader_pending", code: "META_008", slices: ["servers"], severity: "warning", title: "Meta leader has many pending entries",
    firesWhen: "the meta leader's pending entries exceed 500 (2.10.21+, read from the leader's VARZ)",
    threshold: "thresholds.servers.meta-pending-warn", default: "500",
    why: "The meta group is behind on applying changes: JetStream API calls stall or time out.",
    action: "Check the meta leader's disk and CPU, and what floods the JetStream API.",
    commands: ["nats server report jetstream"],
  },
  {
    id: "cluster_routes_missing", code: "CLUSTER_005", slices: ["servers"], severity: "warning", title: "Routes missing",
    firesWhen: "a server has no route to some answering server of its own cluster (peers counted, not pooled routes)",
    why: "Without a full mesh, messages and Raft traffic between the unlinked servers do not flow.",
    action: "Check the cluster's route configuration and the network between the named servers.",
    commands: ["nats server report routes", "nats server list"],
  },
  {
    id: "gateway_lost", code: "CLUSTER_007", slices: ["servers"], severity: "critical", title: "Gateway lost",
    firesWhen: "a server had an outbound gateway to a remote cluster (subject.peer) in an earlier run and has none now",
    why: "The clusters no longer exchange messages through this server; cross-cluster mirrors and requests stall.",
    action: "Check the gateway configuration and the network to the remote cluster.",
    commands: ["nats server report gateways", "nats server list"],
  },
  {
    id: "leaf_lost", code: null, slices: ["servers"], severity: "critical", title: "Leaf node link lost",
    firesWhen: "a leaf link (account, remote server in subject.peer) connected in an earlier run is gone",
    why: "The leaf and its hub no longer exchange messages for that account: leaf clients are cut off from the cluster.",
    action: "Check the leafnode remote's URL, credentials and the network between leaf and hub.",
    commands: ["nats server report leafnodes", "nats server list"],
  },
  {
    id: "route_rtt", code: "SERVER_010", slices: ["servers"], severity: "warning", title: "Route RTT high",
    firesWhen: "a route's round-trip time is above 50 ms",
    threshold: "thresholds.servers.route-rtt-warn", default: "50ms",
    why: "Slow routes slow every replicated write and Raft heartbeat inside the cluster.",
    action: "Check the network between the servers; cluster members belong in one region.",
    commands: ["nats server report routes", "nats rtt"],
  },
  {
    id: "gateway_rtt", code: "SERVER_018", slices: ["servers"], severity: "warning", title: "Gateway RTT high",
    firesWhen: "a gateway's round-trip time to a remote cluster is above 50 ms",
    threshold: "thresholds.servers.gateway-rtt-warn", default: "50ms",
    why: "Cross-cluster requests, mirrors and sources slow down.",
    action: "Check the network between the clusters.",
    commands: ["nats server report gateways"],
  },
  {
    id: "leaf_rtt", code: "LEAF_002", slices: ["servers"], severity: "warning", title: "Leaf RTT high",
    firesWhen: "a leaf link's round-trip time is above 100 ms",
    threshold: "thresholds.servers.leaf-rtt-warn", default: "100ms",
    why: "Leaf clients see slow requests and delayed messages.",
    action: "Check the network between leaf and hub.",
    commands: ["nats server report leafnodes"],
  },
  {
    id: "monitor_credentials_expiring", code: null, slices: ["servers"], severity: "warning", title: "Monitor credentials expiring",
    firesWhen: "the user JWT in the monitor's creds file expires within 14 days (critical within 3 days, or expired)",
    threshold: "thresholds.servers.creds-warn / creds-critical", default: "14d / 3d",
    why: "When its JWT expires the monitor is blind: every check stops on a date nobody remembered.",
    action: "Issue new credentials for the monitor's user and replace the creds file (or the secret it comes from).",
    commands: ["nats server check credential --credential <file>"],
  },
  // ---- consumers (every consumer of every account, judged from its Raft leader's view)
  {
    id: "consumer_quorum_lost", code: "CONSUMER_003", slices: ["consumers"], severity: "critical", title: "Consumer quorum lost",
    firesWhen: "no consumer leader, or online peers < floor(R/2)+1 (the catalog's `offline*2 > R` misses even R and an offline leader)",
    why: "Without quorum the consumer cannot deliver or record acknowledgements: its applications stop receiving messages.",
    action: "Bring the consumer's servers back; if a peer is gone for good and quorum holds, `nats consumer cluster peer-remove`.",
    commands: ["nats consumer info <stream> <consumer>", "nats consumer report <stream>", "nats server report jetstream"],
  },
  {
    id: "consumer_replica_offline", code: "CONSUMER_001", slices: ["consumers"], severity: "critical", title: "Consumer replica offline",
    firesWhen: "a follower of the consumer's Raft group is marked offline",
    why: "The consumer runs without a replica: one more failure may lose its quorum and stop deliveries.",
    action: "Restart the replica's server, or move the consumer off it (`nats consumer cluster peer-remove`).",
    commands: ["nats consumer info <stream> <consumer>", "nats consumer report <stream>"],
  },
  {
    id: "consumer_peer_seen", code: null, slices: ["consumers"], severity: "critical", title: "Consumer replica not seen",
    firesWhen: "the consumer leader has not heard from a follower for longer than the threshold; stays firing while the follower is offline",
    threshold: "io.nats.monitor.peer-seen-critical (consumer)", default: "1m",
    why: "The replica stopped taking part in the consumer's Raft group (hung, partitioned, disk stall) minutes before it is marked offline.",
    action: "Check the replica's server (process hung, network partition, resource exhaustion); restart it if it is hung.",
    commands: ["nats consumer info <stream> <consumer>", "nats server report jetstream"],
  },
  {
    id: "consumer_peer_lag", code: "CONSUMER_002", slices: ["consumers"], severity: "warning", title: "Consumer replica lagging",
    firesWhen: "an online follower is more Raft operations behind the consumer leader than the threshold",
    threshold: "io.nats.monitor.peer-lag-warning (consumer)", default: "1000",
    why: "A lagging replica cannot take over promptly: a failover would redeliver or stall.",
    action: "Check the replica server's disk and network; it catches up once the pressure is gone.",
    commands: ["nats consumer info <stream> <consumer>"],
  },
  {
    id: "consumer_behind_stream", code: "CONSUMER_004", slices: ["consumers"], severity: "critical", title: "Consumer skipped messages",
    firesWhen: "the consumer's delivered stream sequence is below the stream's first sequence less one (messages removed before it got them; a filtered consumer with nothing pending is not judged)",
    why: "Messages the consumer had not yet received were purged, expired or dropped by limits: its application never saw them.",
    action: "Check the stream's limits and retention against the consumer's speed; find who purged the stream; replay from a backup if the data matters.",
    commands: ["nats consumer info <stream> <consumer>", "nats stream info <stream>"],
  },
  {
    id: "consumer_ahead_of_stream", code: "CONSUMER_005", slices: ["consumers"], severity: "critical", title: "Consumer ahead of its stream",
    firesWhen: "the consumer's delivered stream sequence is above the stream's last sequence",
    why: "The stream was reset or recreated under the consumer: new messages below its position will not be delivered.",
    action: "Recreate the consumer or reset its position (`nats consumer rm` and add it again with the intended start).",
    commands: ["nats consumer info <stream> <consumer>", "nats stream info <stream>"],
  },
  {
    id: "consumer_outstanding_ack", code: "CONSUMER_006", slices: ["consumers"], severity: "critical", title: "Outstanding acknowledgements",
    firesWhen: "`num_ack_pending` >= `outstanding-ack-critical`", threshold: "io.nats.monitor.outstanding-ack-critical", default: "unset",
    why: "Messages are delivered but not acknowledged: handlers are slow or failing.",
    action: "Check the consuming application's errors and processing time.", commands: ["nats consumer info <stream> <consumer>"],
  },
  {
    id: "consumer_waiting", code: "CONSUMER_007", slices: ["consumers"], severity: "critical", title: "Waiting pull requests",
    firesWhen: "`num_waiting` >= `waiting-critical`", threshold: "io.nats.monitor.waiting-critical", default: "unset",
    why: "Many pull requests wait: more clients pull than there are messages, or requests pile up.",
    action: "Check the number of pulling clients and their batch and expiry settings.", commands: ["nats consumer info <stream> <consumer>"],
  },
  {
    id: "consumer_unprocessed", code: "CONSUMER_008", slices: ["consumers"], severity: "critical", title: "Unprocessed messages",
    firesWhen: "`num_pending` >= `unprocessed-critical` (the NATS tools print the ack-pending count here; this prints the pending count)",
    threshold: "io.nats.monitor.unprocessed-critical", default: "unset",
    why: "The consumer has more messages waiting to be delivered than its owners allow.",
    action: "Scale the consumers or find what slows them.", commands: ["nats consumer info <stream> <consumer>"],
  },
  {
    id: "consumer_last_delivery", code: "CONSUMER_009", slices: ["consumers"], severity: "critical", title: "No recent delivery",
    firesWhen: "time since the last delivery >= `last-delivery-critical` (never delivered counts)", threshold: "io.nats.monitor.last-delivery-critical", default: "unset",
    why: "Nothing was delivered for longer than expected: nobody pulls, or the publisher stopped.",
    action: "Check the consuming application and the stream's publishers.", commands: ["nats consumer info <stream> <consumer>"],
  },
  {
    id: "consumer_last_ack", code: "CONSUMER_010", slices: ["consumers"], severity: "critical", title: "No recent acknowledgement",
    firesWhen: "time since the ack floor last moved >= `last-ack-critical` (never counts)", threshold: "io.nats.monitor.last-ack-critical", default: "unset",
    why: "Nothing was acknowledged for longer than expected: handlers are stuck or failing.",
    action: "Check the consuming application's logs and processing.", commands: ["nats consumer info <stream> <consumer>"],
  },
  {
    id: "consumer_redelivery", code: "CONSUMER_011", slices: ["consumers"], severity: "critical", title: "Redeliveries",
    firesWhen: "`num_redelivered` >= `redelivery-critical`", threshold: "io.nats.monitor.redelivery-critical", default: "unset",
    why: "Messages are delivered again and again: handlers fail or exceed the ack wait.",
    action: "Check handler errors and processing time against `ack_wait`.", commands: ["nats consumer info <stream> <consumer>"],
  },
  {
    id: "consumer_pinned", code: "CONSUMER_012", slices: ["consumers"], severity: "critical", title: "Pinned consumer without pinning",
    firesWhen: "`io.nats.monitor.pinned=true` but the priority policy is not `pinned_client`", threshold: "io.nats.monitor.pinned", default: "unset",
    why: "The consumer was meant to deliver to one pinned client at a time, but any client may receive its messages.",
    action: "Set the priority policy to `pinned_client` (servers 2.11+), or drop the key.", commands: ["nats consumer info <stream> <consumer> --json"],
  },
  {
    id: "consumer_ack_pending_high", code: null, slices: ["consumers"], severity: "warning", title: "Ack pending near its limit",
    firesWhen: "`num_ack_pending` at or above 80% of `max_ack_pending`", threshold: "io.nats.monitor.ack-pending-warn-percent (consumer)", default: "80",
    why: "At `max_ack_pending` the server stops delivering to this consumer until acknowledgements arrive.",
    action: "Check that handlers acknowledge; raise `max_ack_pending` if the load is legitimate.", commands: ["nats consumer info <stream> <consumer>"],
  },
  {
    id: "consumer_stuck", code: null, slices: ["consumers"], severity: "critical", title: "Consumer stuck",
    firesWhen: "messages pending and the delivered sequence unmoved across runs for longer than the threshold, while not paused and not held at `max_ack_pending`",
    threshold: "io.nats.monitor.stuck-after (consumer)", default: "5m",
    why: "Nobody is pulling, or a push consumer lost its subscriber: messages pile up unseen.",
    action: "Check that the consuming application runs and is subscribed or pulling.", commands: ["nats consumer info <stream> <consumer>", "nats consumer report <stream>"],
  },
  {
    id: "consumer_wedged", code: null, slices: ["consumers"], severity: "critical", title: "Handlers not acknowledging",
    firesWhen: "deliveries go on (or ack pending is at its limit) while the ack floor has not moved for longer than the threshold",
    threshold: "io.nats.monitor.wedged-after (consumer)", default: "5m",
    why: "The application receives messages and never acknowledges them: work is not getting done.",
    action: "Check the handlers' errors, deadlocks and ack calls.", commands: ["nats consumer info <stream> <consumer>"],
  },
  {
    id: "consumer_backlog_growing", code: null, slices: ["consumers"], severity: "warning", title: "Consumer backlog growing",
    firesWhen: "`num_pending` grew in each of the last K runs and by more than the factor over them",
    threshold: "thresholds.consumers.backlog-runs / backlog-factor", default: "5 runs, 2x",
    why: "The consumer drains slower than the stream grows: at this rate it never catches up.",
    action: "Scale the consuming application or find what slows it.", commands: ["nats consumer info <stream> <consumer>", "nats stream info <stream>"],
  },
  {
    id: "consumer_threshold_invalid", code: null, slices: ["consumers"], severity: "warning", title: "Malformed consumer threshold",
    firesWhen: "an `io.nats.monitor.*` value on a consumer, or a consumer override, does not parse",
    why: "The check it configures cannot run as its owner intended; the consumer's other checks still run.",
    action: "Fix the value: durations like 30s, 5m (a bare number means seconds), counts as integers.",
    commands: ["nats consumer info <stream> <consumer> --json | jq .config.metadata"],
  },
] as const satisfies readonly CheckDefinition[];

export type CheckId = (typeof defs)[number]["id"];
export const CHECKS: readonly CheckDefinition[] = defs;
const byId = new Map<string, CheckDefinition>(CHECKS.map((d) => [d.id, d]));

export function isCheckId(id: string): id is CheckId {
  return byId.has(id);
}

export function checkDefinition(id: CheckId): CheckDefinition {
  return byId.get(id)!;
}

/** Builds a finding from a check definition, carrying its runbook text. */
export function finding(
  id: CheckId,
  subject: Subject,
  summary: string,
  values: Record<string, FindingValue> = {},
  severity?: Severity,
): Finding {
  const d = checkDefinition(id);
  return { id, code: d.code, severity: severity ?? d.severity, summary, subject, why: d.why, action: d.action, commands: [...d.commands], values };
}
