// The alert lifecycle's data: one AlertState per firing fingerprint, and an outbox of notices
// (transitions to tell people about) that stays in history until a notifier delivered them.
import type { Finding } from "../findings/finding.ts";

export type NoticeKind = "new" | "reminder" | "resolved";

/** Lifecycle state shown beside each finding: new this run, still firing, or reminded. */
export type LifecycleState = "new" | "firing" | "reminder";

export interface AlertState {
  fingerprint: string;
  /** The latest finding (numbers refresh each run). */
  finding: Finding;
  firstSeen: number;
  lastSeen: number;
  /** When people were last told (new or reminder). Undefined: not yet delivered. */
  lastNotified?: number;
  /** Consecutive runs the finding has been absent (resolves at `resolveAfterRuns`). */
  clearRuns: number;
  /** The first run of the current clear streak: where a resolved alert's duration ends. */
  clearSince?: number;
}

export interface Notice {
  /** Unique per transition: fingerprint + kind + time. */
  id: string;
  kind: NoticeKind;
  fingerprint: string;
  finding: Finding;
  /** When the transition happened. */
  at: number;
  firstSeen: number;
  /** For resolved notices: how long the alert lasted (first seen to the first clear run). */
  durationMs?: number;
  /** A run that is delivering this notice right now, and until when it may. */
  claimedBy?: string;
  claimedUntil?: number;
  /** Notifiers that already delivered it (it leaves the outbox once every notifier has). */
  deliveredTo?: string[];
  /** Delivery attempts that failed so far. */
  attempts: number;
  lastError?: string;
}

export interface AlertBook {
  alerts: Record<string, AlertState>;
  outbox: Notice[];
}

export const emptyBook = (): AlertBook => ({ alerts: {}, outbox: [] });
