// Turns a run's notices into SNS messages and requests: group them (grouping.ts), split any group
// whose message would pass SNS's 256 KB limit into parts, then pack the messages into PublishBatch
// requests (at most 10 entries and 256 KB per request). Pure.
import type { Notice } from "../alerts/alert.ts";
import { groupNotices, type GroupPart, type NoticeGroup } from "./grouping.ts";
import {
  DEFAULT_LIST_LIMIT,
  MAX_PUBLISH_BYTES,
  renderMessage,
  type RenderOptions,
  type SnsMessage,
} from "./messages.ts";
import type { DeliveryContext } from "./notifier.ts";

export const MAX_BATCH_ENTRIES = 10;
/** Room for the part labels ("part 2 of 3"), which are only known once the split is done. */
const PART_LABEL_SLACK = 1024;

export interface PlanOptions extends RenderOptions {
  /** Largest message; SNS's limit unless a test needs a smaller one. */
  maxMessageBytes: number;
}

export const DEFAULT_PLAN: PlanOptions = { listLimit: DEFAULT_LIST_LIMIT, maxMessageBytes: MAX_PUBLISH_BYTES };

/**
 * Splits a group into as few parts as fit: each part takes the longest run of the remaining members
 * whose message fits. A member always travels, even alone in an over-large message (the notifier
 * then reports it failed rather than dropping it).
 */
export function splitGroup(g: NoticeGroup, ctx: DeliveryContext, o: PlanOptions = DEFAULT_PLAN): GroupPart[] {
  const budget = o.maxMessageBytes - PART_LABEL_SLACK;
  const fits = (members: Notice[]) =>
    renderMessage({ group: g, notices: members, part: 1, parts: 1 }, ctx, o).bytes <= budget;
  const chunks: Notice[][] = [];
  let rest = g.notices;
  while (rest.length) {
    let k = rest.length;
    if (!fits(rest)) {
      // Binary search for the longest prefix that fits (at least one member).
      let lo = 1;
      let hi = rest.length - 1;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (fits(rest.slice(0, mid))) lo = mid;
        else hi = mid - 1;
      }
      k = lo;
    }
    chunks.push(rest.slice(0, k));
    rest = rest.slice(k);
  }
  // Same number of parts, evened out (164+164+164+8 becomes 125 x 4) when the even split fits too.
  const size = Math.ceil(g.notices.length / chunks.length);
  const even = chunks.map((_, i) => g.notices.slice(i * size, (i + 1) * size)).filter((c) => c.length);
  const parts = chunks.length > 1 && even.length === chunks.length && even.every(fits) ? even : chunks;
  return parts.map((notices, i) => ({ group: g, notices, part: i + 1, parts: parts.length }));
}

/** Every notice in exactly one message. */
export function planMessages(
  notices: readonly Notice[],
  ctx: DeliveryContext,
  o: PlanOptions = DEFAULT_PLAN,
): SnsMessage[] {
  return groupNotices(notices, ctx.cluster).flatMap((g) => splitGroup(g, ctx, o).map((p) => renderMessage(p, ctx, o)));
}

/**
 * Packs messages into requests of at most 10 entries and `maxBytes` in total, each into the first
 * request with room (so small messages fill the gaps beside large parts; most severe stay first).
 */
export function packBatches(messages: readonly SnsMessage[], maxBytes = MAX_PUBLISH_BYTES): SnsMessage[][] {
  const out: { entries: SnsMessage[]; bytes: number }[] = [];
  for (const m of messages) {
    const b = out.find((x) => x.entries.length < MAX_BATCH_ENTRIES && x.bytes + m.bytes <= maxBytes);
    if (b) {
      b.entries.push(m);
      b.bytes += m.bytes;
    } else out.push({ entries: [m], bytes: m.bytes });
  }
  return out.map((b) => b.entries);
}
