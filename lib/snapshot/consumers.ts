// What one run saw of the consumers of every stream of every account, in the monitor's units
// (milliseconds, epoch ms). Each consumer is judged from one view only: the entry of the server that
// leads the consumer's own Raft group (not necessarily its stream's leader), or, when no server
// leads it, the view of a server that holds it. docs/consumers.md says why.
import type { FanoutSnapshot } from "./fanout.ts";
import type { PeerView } from "./peer.ts";

export interface SeqPair {
  consumerSeq: number;
  streamSeq: number;
  /** How long before the report this sequence last moved (the server's `last_active`), if it said. */
  agoMs?: number;
}

export interface ConsumerView {
  account: string;
  stream: string;
  name: string;
  domain?: string;
  cluster?: string;
  /** Has a durable name: ephemeral consumers (KV watchers, mirror/source internals, ordered consumers) do not. */
  durable: boolean;
  /** Replicas (R) of the consumer's Raft group. */
  replicas: number;
  status: "led" | "leaderless";
  leader?: string;
  /** The leader's followers (none for R1). For a leaderless consumer: each member as one holder sees it. */
  peers: PeerView[];
  /** Servers that reported holding it. */
  holders: string[];
  delivered: SeqPair;
  ackFloor: SeqPair;
  /** Messages in the stream not yet delivered to this consumer. */
  numPending: number;
  numAckPending: number;
  numRedelivered: number;
  numWaiting: number;
  /** `config.max_ack_pending`; undefined when unlimited (-1) or not sent. */
  maxAckPending?: number;
  ackPolicy?: string;
  /** Delivers only part of the stream (`filter_subject(s)`): its stream sequence is no measure of what it missed. */
  filtered: boolean;
  /** Push consumer: its deliver subject. */
  deliverSubject?: string;
  /** Paused (2.11+: `paused`, else `config.pause_until` in the future on the server's clock). */
  paused: boolean;
  /** `config.priority_policy` (2.11+). */
  priorityPolicy?: string;
  /** `config.opt_start_seq`: where it was asked to start (2.11+ keeps a start beyond the stream's end). */
  optStartSeq?: number;
  /** The stream's first and last sequence on the reporting server (the store the consumer delivers from). */
  streamFirstSeq?: number;
  streamLastSeq?: number;
  /** `config.metadata`; undefined when the server sent none (2.9 drops it). */
  metadata?: Record<string, string>;
  reportedBy: string;
}

/** A consumer the run knows of but could not judge (its leader was silent), and why. */
export interface ConsumerGap {
  account: string;
  stream: string;
  name: string;
  domain?: string;
  reason: string;
}

export interface ConsumersSnapshot extends FanoutSnapshot {
  consumers: ConsumerView[];
  gaps: ConsumerGap[];
  /** Account mode: streams whose consumers could not be listed (their alerts stay as they were). */
  unlistedStreams?: string[];
}

/** Identity of a consumer across servers and runs. */
export const consumerKey = (c: {
  domain?: string | undefined;
  account: string;
  stream: string;
  name: string;
}): string => `${c.domain ?? ""}/${c.account}/${c.stream}/${c.name}`;
