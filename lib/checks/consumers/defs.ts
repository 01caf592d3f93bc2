// The consumers slice's checks: id, catalog code and the operator knowledge each finding carries.
// Kept here, in the catalog's shape, until the slice is registered; then they join
// lib/checks/catalog.ts as one block and `consumerFinding` becomes the catalog's `finding`.
import type { CheckDefinition } from "../catalog.ts";
import type { Finding, FindingValue, Severity, Subject } from "../../findings/finding.ts";

type ConsumerCheck = Omit<CheckDefinition, "slices"> & { slices: readonly string[] };

export const CONSUMER_CHECKS = [
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
    threshold: "thresholds.consumers.backlogRuns / backlogFactor", default: "5 runs, 2x",
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
] as const satisfies readonly ConsumerCheck[];

export type ConsumerCheckId = (typeof CONSUMER_CHECKS)[number]["id"];
const byId = new Map<string, ConsumerCheck>(CONSUMER_CHECKS.map((d) => [d.id, d]));

export function consumerFinding(id: ConsumerCheckId, subject: Subject, summary: string, values: Record<string, FindingValue> = {}, severity?: Severity): Finding {
  const d = byId.get(id)!;
  return { id, code: d.code, severity: severity ?? d.severity, summary, subject, why: d.why, action: d.action, commands: [...d.commands], values };
}
