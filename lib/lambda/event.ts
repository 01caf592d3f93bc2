// The event EventBridge Scheduler sends: the input the stack configures, with the scheduler's
// context attributes filled in. A manual `aws lambda invoke` with `{}` is accepted too.
import { ScheduleEventError } from "./errors.ts";

export interface ScheduledRunEvent {
  /** The slice the schedule means to run; must match the function's own. */
  slice?: string;
  /** `<aws.scheduler.scheduled-time>`: ISO time the run was due. */
  scheduledTime?: string;
  /** `<aws.scheduler.execution-id>`. */
  executionId?: string;
  /** `<aws.scheduler.attempt-number>` (retries are off, so always "1"). */
  attempt?: string;
  /** `<aws.scheduler.schedule-arn>`. */
  scheduleArn?: string;
}

const FIELDS = ["slice", "scheduledTime", "executionId", "attempt", "scheduleArn"] as const;

/** Keeps the known string fields; rejects an event meant for another slice. */
export function readScheduledEvent(event: unknown, slice: string): ScheduledRunEvent {
  if (event === undefined || event === null) return {};
  if (typeof event !== "object" || Array.isArray(event))
    throw new ScheduleEventError(
      `expected a JSON object event, got ${Array.isArray(event) ? "an array" : typeof event}`,
    );
  const e = event as Record<string, unknown>;
  const out: ScheduledRunEvent = {};
  for (const k of FIELDS) if (typeof e[k] === "string" && e[k] !== "") out[k] = e[k];
  if (out.slice !== undefined && out.slice !== slice) {
    throw new ScheduleEventError(
      `this function runs the ${slice} slice but the event asks for "${out.slice}": check the schedule's target`,
    );
  }
  return out;
}

/** How late the run started after it was due, when the scheduler said when that was. */
export function startDelayMs(e: ScheduledRunEvent, startedAt: number): number | undefined {
  if (!e.scheduledTime) return undefined;
  const due = Date.parse(e.scheduledTime);
  return Number.isFinite(due) ? Math.max(0, startedAt - due) : undefined;
}
