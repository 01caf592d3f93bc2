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
    id: "monitor_blind", code: null, slices: ["meta", "streams", "consumers"], severity: "critical", title: "Monitor is blind",
    firesWhen: "the monitor cannot connect, authenticate or get any answer from the cluster",
    why: "Nothing else can be checked while the monitor sees nothing: an outage would go unnoticed.",
    action: "Check the NATS URLs, credentials and TLS settings of the monitor, and that the servers are up and reachable from it.",
    commands: ["nats server ping", "nats server list"],
  },
  {
    id: "monitor_partial", code: null, slices: ["meta", "streams", "consumers"], severity: "warning", title: "Servers silent to the monitor",
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
