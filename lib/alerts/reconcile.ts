// Whether to notify is a pure function of the previous alert book and this run's findings.
//
// Rules (README, "Alert lifecycle"):
// - a fingerprint seen for the first time opens an alert and queues a `new` notice;
// - a firing alert is reminded once `remindAfterMs` passed since people were last told;
// - an alert resolves after `resolveAfterRuns` consecutive clear runs (default 2), so a finding that
//   flickers on and off each run pages once, not every run; it reappearing meanwhile cancels nothing
//   and sends nothing;
// - a run only clears what it actually saw: an alert whose subject this run did not cover (the
//   monitor was blind, or the server that leads the stream was silent) stays as it was;
// - escalation, not resolution: a weaker condition keeps firing while a stronger one holds for the
//   same peer (an offline replica is still "not seen"), and a peer nobody can judge (no leader, or
//   left out of the leader's list) is not covered, so `resolved` means healthy by the check's measure;
// - notices wait in the outbox until delivered; a delivered `new`/`reminder` sets `lastNotified`.
import { fingerprint, type Finding } from "../findings/finding.ts";
import type { AlertBook, AlertState, LifecycleState, Notice, NoticeKind } from "./alert.ts";

export interface LifecyclePolicy {
  remindAfterMs: number;
  resolveAfterRuns: number;
  claimLeaseMs: number;
  /** The slice whose book this is: prefixes notice ids, so they stay unique across slices. */
  scope?: string;
}

export interface Reconciled {
  book: AlertBook;
  /** Lifecycle state of each current finding, by fingerprint. */
  states: Map<string, LifecycleState>;
  /** Notices queued by this run. */
  queued: Notice[];
  /** Alerts that resolved this run. */
  resolved: AlertState[];
}

function notice(kind: NoticeKind, a: AlertState, at: number, scope: string | undefined): Notice {
  // The monitor_* checks exist in every slice: the slice in the id keeps ids unique across slices.
  const n: Notice = {
    id: `${scope ? `${scope}/` : ""}${a.fingerprint}#${kind}@${at}`,
    kind,
    fingerprint: a.fingerprint,
    finding: a.finding,
    at,
    firstSeen: a.firstSeen,
    attempts: 0,
  };
  // It lasted until the first run that no longer saw it, not until the run that confirmed that.
  if (kind === "resolved") n.durationMs = (a.clearSince ?? at) - a.firstSeen;
  return n;
}

export function reconcile(
  previous: AlertBook,
  findings: readonly Finding[],
  now: number,
  policy: LifecyclePolicy,
  covers: (alert: AlertState) => boolean = () => true,
): Reconciled {
  const alerts: Record<string, AlertState> = {};
  let outbox = [...previous.outbox];
  const queued: Notice[] = [];
  const resolved: AlertState[] = [];
  const states = new Map<string, LifecycleState>();
  const pendingKinds = (fp: string) => new Set(outbox.filter((n) => n.fingerprint === fp).map((n) => n.kind));

  const current = new Map<string, Finding>();
  for (const f of findings) current.set(fingerprint(f), f); // the last finding with a fingerprint wins

  for (const [fp, f] of current) {
    const before = previous.alerts[fp];
    if (!before) {
      const a: AlertState = { fingerprint: fp, finding: f, firstSeen: now, lastSeen: now, clearRuns: 0 };
      alerts[fp] = a;
      queued.push(notice("new", a, now, policy.scope));
      states.set(fp, "new");
      continue;
    }
    const { clearSince: _ended, ...still } = before; // back before it resolved: the clear streak ends
    const a: AlertState = { ...still, finding: f, lastSeen: now, clearRuns: 0 };
    alerts[fp] = a;
    const pending = pendingKinds(fp);
    if (
      a.lastNotified !== undefined &&
      now - a.lastNotified >= policy.remindAfterMs &&
      !pending.has("reminder") &&
      !pending.has("new")
    ) {
      queued.push(notice("reminder", a, now, policy.scope));
      states.set(fp, "reminder");
    } else {
      states.set(fp, "firing");
    }
  }

  for (const [fp, before] of Object.entries(previous.alerts)) {
    if (current.has(fp)) continue;
    if (!covers(before)) {
      alerts[fp] = before; // not looked at this run: neither clear nor firing
      continue;
    }
    const clearRuns = before.clearRuns + 1;
    const cleared: AlertState = { ...before, clearRuns, clearSince: before.clearSince ?? now };
    if (clearRuns < policy.resolveAfterRuns) {
      alerts[fp] = cleared;
      continue;
    }
    resolved.push(cleared);
    // A reminder nobody received yet is moot once resolved; a `new` still pending is kept, so
    // people learn that it happened, then that it ended.
    outbox = outbox.filter((n) => !(n.fingerprint === fp && n.kind === "reminder"));
    queued.push(notice("resolved", cleared, now, policy.scope));
  }

  return { book: { alerts, outbox: [...outbox, ...queued] }, states, queued, resolved };
}

/** Notices this run may deliver: unclaimed, claimed by itself, or whose claim lapsed. */
export function deliverable(book: AlertBook, runId: string, now: number): Notice[] {
  return book.outbox.filter((n) => !n.claimedBy || n.claimedBy === runId || (n.claimedUntil ?? 0) <= now);
}

/** Marks notices as being delivered by `runId` until `now + leaseMs`. */
export function claim(
  book: AlertBook,
  ids: ReadonlySet<string>,
  runId: string,
  now: number,
  leaseMs: number,
): AlertBook {
  return {
    ...book,
    outbox: book.outbox.map((n) => (ids.has(n.id) ? { ...n, claimedBy: runId, claimedUntil: now + leaseMs } : n)),
  };
}

/**
 * Applies a delivery's outcome. A notice leaves the outbox once every notifier in `notifiers` has
 * delivered it; otherwise it stays, unclaimed, for the next run (with the failure recorded).
 */
export function settle(
  book: AlertBook,
  deliveredBy: ReadonlyMap<string, readonly string[]>,
  failed: ReadonlyMap<string, string>,
  notifiers: readonly string[],
  now: number,
): AlertBook {
  const alerts = { ...book.alerts };
  const outbox: Notice[] = [];
  for (const n of book.outbox) {
    const by = deliveredBy.get(n.id);
    const err = failed.get(n.id);
    if (!by && err === undefined) {
      outbox.push(n);
      continue;
    }
    const deliveredTo = [...new Set([...(n.deliveredTo ?? []), ...(by ?? [])])];
    if (notifiers.every((x) => deliveredTo.includes(x))) {
      const a = alerts[n.fingerprint];
      if (a && n.kind !== "resolved") alerts[n.fingerprint] = { ...a, lastNotified: now };
      continue;
    }
    const { claimedBy: _c, claimedUntil: _u, ...rest } = n;
    const next: Notice = { ...rest, deliveredTo, attempts: n.attempts + (err !== undefined ? 1 : 0) };
    if (err !== undefined) next.lastError = err;
    outbox.push(next);
  }
  return { alerts, outbox };
}
