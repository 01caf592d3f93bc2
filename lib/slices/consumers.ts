// The consumers slice: every consumer of every account, judged from its Raft leader's view.
import { judgeConsumers, type ConsumersObservation } from "../checks/consumers/judge.ts";
import { collectConsumersAccount } from "../collect/consumers-account.ts";
import { collectConsumersSystem } from "../collect/consumers-jsz.ts";
import { blindFanout, fanoutOptions } from "./fanout.ts";
import type { ConsumersSnapshot } from "../snapshot/consumers.ts";
import type { Slice } from "./slice.ts";

export const consumersSlice: Slice<ConsumersSnapshot, ConsumersObservation> = {
  name: "consumers",
  collect: (nc, ctx) => {
    const o = fanoutOptions(ctx);
    return ctx.config.mode === "account" ? collectConsumersAccount(nc, o) : collectConsumersSystem(nc, o);
  },
  blind: (reason, ctx) => ({ ...blindFanout(reason, ctx), consumers: [] }),
  judge: (snap, prev, config) => judgeConsumers(snap, prev, config.thresholds.consumers),
  perf: (snap) =>
    snap.blind
      ? []
      : [
          {
            name: "consumers_judged",
            value: snap.consumers.length,
            help: "Consumers reported from their leader's view (or found leaderless).",
            min: 0,
          },
          {
            name: "consumers_leaderless",
            value: snap.consumers.filter((c) => c.status === "leaderless").length,
            help: "Consumers without a leader.",
            critical: "0",
            min: 0,
          },
          {
            name: "consumers_not_judged",
            value: snap.gaps.length,
            help: "Consumers whose leader did not answer.",
            min: 0,
          },
          {
            name: "consumers_pending",
            value: snap.consumers.reduce((n, c) => n + c.numPending, 0),
            help: "Messages pending delivery over every consumer.",
            min: 0,
          },
        ],
};
