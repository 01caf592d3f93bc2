// What one run saw of the streams of every account, in the monitor's own units (milliseconds, epoch
// ms). Each stream is judged from one view only: its leader's entry, or, when no server leads it,
// the view of a server that holds it.
import type { FanoutSnapshot } from "./fanout.ts";
import type { PeerView } from "./peer.ts";

/** A stream replica as the stream leader reports it. */
export type StreamPeer = PeerView;

/** A mirror's or a source's upstream, as the stream leader sees it. */
export interface StreamUpstream {
  /** The upstream stream's name. */
  name: string;
  /** `external.api`: the upstream lives in another JetStream domain (`$JS.<domain>.API`) or account (an imported prefix). */
  api?: string;
  /** The domain named by `api` when it has the `$JS.<domain>.API` form. */
  domain?: string;
  /** Messages behind the upstream. */
  lag: number;
  /** Time since the upstream was last heard from; -1: never. */
  activeMs: number;
  /** An error the server reports for this upstream (`description (code/err_code)`). */
  error?: string;
  /** Only part of the upstream is copied: its sequence numbers are no measure of the copy's progress. */
  filtered: boolean;
}

export interface StreamView {
  account: string;
  name: string;
  /** JetStream domain of the servers holding it (undefined: none configured). */
  domain?: string;
  /** The stream's Raft group's cluster name, else the reporting server's. */
  cluster?: string;
  /** Configured replicas (R). */
  replicas: number;
  /** Led, or held by servers none of which leads it. */
  status: "led" | "leaderless";
  leader?: string;
  /** How long the current leader had led when it answered, on its own clock (servers 2.11.9+ say). */
  leaderForMs?: number;
  /** The leader's followers (empty for R1). For a leaderless stream: every member as one holder sees it. */
  peers: StreamPeer[];
  /** Servers that reported holding the stream (a leaderless stream's survivors). */
  holders: string[];
  mirror?: StreamUpstream;
  sources: StreamUpstream[];
  messages: number;
  lastSeq: number;
  /** Distinct subjects held (the server omits the field when 0). */
  subjects: number;
  /** Bytes held (`state.bytes`). */
  bytes: number;
  /** `config.max_msgs`, when the stream has such a limit (the server sends -1 for none). */
  maxMsgs?: number;
  /** `config.max_bytes`, when the stream has such a limit (-1: none). */
  maxBytes?: number;
  /** Stream age on the reporting server's own clock, when it said when the stream was created. */
  ageMs?: number;
  /** `config.metadata`; undefined when the server sent none (2.9 drops it). */
  metadata?: Record<string, string>;
  /** The server whose entry this view is. */
  reportedBy: string;
}

export interface AnsweringServer {
  name: string;
  version: string;
  cluster?: string;
  domain?: string;
}

/** A stream the run knows of but could not judge, and why. */
export interface StreamGap {
  account: string;
  name: string;
  domain?: string;
  reason: string;
  /** The listing named it missing or offline (account mode): a finding, not just a gap. */
  unavailable: boolean;
}

export interface StreamsSnapshot extends FanoutSnapshot {
  streams: StreamView[];
  /** Streams seen but not judged (their leader was silent, or the listing could not give them). */
  gaps: StreamGap[];
  /** How the JSZ fan-out was asked (system mode), for the record. */
  streamLeaderOnly?: boolean;
  /**
   * Servers whose stream counts showed streams no leader reported (leaderless, or led by a silent
   * server), which made the run ask again without `stream_leader_only`.
   */
  fullFanoutFor?: string[];
  /**
   * Account mode: the server would not say which account the credentials belong to (neither
   * `$SYS.REQ.USER.INFO` nor the account's STATZ answered), so findings say "(this account)" and
   * account-scoped overrides cannot match.
   */
  accountUnresolved?: boolean;
}

/** Identity of a stream across servers and runs. */
export const streamKey = (s: { domain?: string | undefined; account: string; name: string }): string =>
  `${s.domain ?? ""}/${s.account}/${s.name}`;
