// Paging the JSZ fan-out (I/O): one `$SYS.REQ.SERVER.PING.JSZ` request per page of accounts, every
// reply folded in as it arrives. Pages count accounts, not streams.
import type { NatsConnection } from "@nats-io/transport-node";
import { sysFanout } from "../nats/fanout.ts";
import type { JszWire, SysEnvelope } from "../nats/wire.ts";
import { expectedServerCount, JszFold } from "./jsz-fold.ts";
import { MAX_PAGES } from "./stream-parse.ts";
import type { StreamsCollectOptions } from "./streams.ts";

export const DEFAULT_ACCOUNTS_PER_PAGE = 256;
const MIN_PAGE_WAIT_MS = 250;

/** Account names of one server's page, in the order sent. */
const accountsOf = (r: SysEnvelope<JszWire>): string[] => (r.data?.account_details ?? []).map((a) => a.name);

export interface Pages {
  /** Every reply folded in as it arrived. */
  fold: JszFold;
  /** Replies received over every page. */
  received: number;
  problems: string[];
  pages: number;
}

/**
 * nats-server sorts accounts by name only when offset > 0, so page 0 is an arbitrary subset. A
 * server whose full page 0 has no account before the first of its sorted page (offset 1) may have
 * left its first account by name out: said, since only a larger page shows it (pure).
 */
export function unsortedFirstPageProblems(
  firstPage: ReadonlyMap<string, readonly string[]>,
  secondPageFirst: ReadonlyMap<string, string>,
  limit: number,
): string[] {
  const problems: string[] = [];
  for (const [server, names] of firstPage) {
    const second = secondPageFirst.get(server);
    if (names.length >= limit && second !== undefined && !names.some((n) => n < second)) {
      problems.push(
        `${server}: its first account by name (before ${second}) may be unchecked: the server sorts accounts ` +
          "only for offset > 0; raise the page size above its account count",
      );
    }
  }
  return problems;
}

export async function fetchPages(nc: NatsConnection, o: StreamsCollectOptions, leaderOnly: boolean): Promise<Pages> {
  const now = o.now ?? Date.now;
  const limit = o.accountsPerPage ?? DEFAULT_ACCOUNTS_PER_PAGE;
  const fold = new JszFold();
  const problems: string[] = [];
  const known = o.knownServers?.length ?? 0;
  let answering = 0;
  let pages = 0;
  let received = 0;
  // After a full page 0 the sorted pages start at offset 1; the one account page 0 could have
  // missed (the first by name) is checked for below.
  const firstPage = new Map<string, string[]>();
  const secondPageFirst = new Map<string, string>();
  let offset = 0;
  for (;;) {
    if (o.deadline !== undefined && now() >= o.deadline && pages > 0) {
      const unchecked = `accounts from offset ${offset} unchecked`;
      problems.push(`stopped after ${pages} JSZ page(s) at the run's deadline: ${unchecked}`);
      break;
    }
    const body: Record<string, unknown> = { accounts: true, streams: true, config: true, offset, limit };
    if (leaderOnly) body.stream_leader_only = true;
    // A page never waits past the run's deadline (but always gets a moment to be answered).
    const timeoutMs =
      o.deadline === undefined ? o.timeoutMs : Math.min(o.timeoutMs, Math.max(MIN_PAGE_WAIT_MS, o.deadline - now()));
    const page = await sysFanout<JszWire>(nc, "$SYS.REQ.SERVER.PING.JSZ", body, {
      timeoutMs,
      stats: o.stats,
      // Each reply is folded into compact entries as it arrives; the fan-out keeps a slim envelope.
      onReply: (r) => fold.add(r),
      // Every server answers every page; the first page tells how many there are. Without an
      // earlier run's list, the first page waits out the timeout: a server outside the meta group
      // (a leaf domain's, joined over the system account) is counted by no one else's reply.
      expected: (replies) =>
        pages > 0 ? answering : known ? expectedServerCount(replies as SysEnvelope<JszWire>[], known) : undefined,
    });
    pages++;
    received += page.replies.length;
    problems.push(...page.undecodable.map((u) => `undecodable JSZ reply: ${u}`));
    if (pages === 1) answering = page.replies.length;
    else if (page.replies.length < answering) {
      problems.push(`JSZ page at offset ${offset}: ${page.replies.length} of ${answering} servers answered`);
    }
    const full = page.replies.filter((r) => r.server?.name && accountsOf(r).length >= limit);
    for (const r of page.replies) {
      if (offset === 0) firstPage.set(r.server.name, accountsOf(r));
      if (offset === 1 && accountsOf(r)[0]) secondPageFirst.set(r.server.name, accountsOf(r)[0]!);
    }
    if (!full.length || page.replies.length === 0) break;
    if (pages >= MAX_PAGES) {
      problems.push(`stopped after ${MAX_PAGES} JSZ pages`);
      break;
    }
    offset = offset === 0 ? 1 : offset + limit;
  }
  problems.push(...unsortedFirstPageProblems(firstPage, secondPageFirst, limit));
  return { fold, problems, pages, received };
}
