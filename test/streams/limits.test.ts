// JETSTREAM_003 and JETSTREAM_010 on hand-made snapshots: a stream at or above 90% of its configured
// max_msgs / max_bytes warns; below it, or without such a limit, nothing. Parsing of the limits
// from a stream's config too.
import { describe, expect, it } from "vitest";
import { evaluateStreams } from "../../lib/checks/streams.ts";
import { streamView } from "../../lib/collect/stream-parse.ts";
import { snapshot, stream, thresholds } from "./builders.ts";

const run = (...vs: Parameters<typeof stream>[1][]) =>
  evaluateStreams(snapshot(vs.map((o, i) => stream(`S${i}`, o))), undefined, thresholds());

describe("stream near its limits", () => {
  it("warns at 90% of max_msgs and above (JETSTREAM_003), not below it", () => {
    const [f, ...rest] = run({ messages: 95, maxMsgs: 100 });
    expect(rest).toEqual([]);
    expect(f!.id).toBe("stream_messages_near_limit");
    expect(f!.code).toBe("JETSTREAM_003");
    expect(f!.severity).toBe("warning");
    expect(f!.subject).toEqual({ cluster: "c1", account: "APP", stream: "S0" });
    expect(f!.summary).toBe("APP > S0 holds 95 of at most 100 messages (95%; warning at 90%)");
    expect(f!.values).toMatchObject({ messages: 95, max_msgs: 100, threshold_share: 0.9 });
    expect(run({ messages: 90, maxMsgs: 100 }).map((x) => x.id)).toEqual(["stream_messages_near_limit"]);
    expect(run({ messages: 89, maxMsgs: 100 })).toEqual([]);
  });

  it("warns at 90% of max_bytes and above (JETSTREAM_010), not below it", () => {
    const [f, ...rest] = run({ bytes: 950, maxBytes: 1000 });
    expect(rest).toEqual([]);
    expect(f!.id).toBe("stream_bytes_near_limit");
    expect(f!.code).toBe("JETSTREAM_010");
    expect(f!.severity).toBe("warning");
    expect(f!.values).toMatchObject({ bytes: 950, max_bytes: 1000 });
    expect(run({ bytes: 899, maxBytes: 1000 })).toEqual([]);
  });

  it("says nothing for a stream without such limits, however full", () => {
    expect(run({ messages: 1_000_000, bytes: 1e12 })).toEqual([]);
  });

  it("judges each limit on its own", () => {
    expect(run({ messages: 99, maxMsgs: 100, bytes: 10, maxBytes: 1000 }).map((x) => x.id)).toEqual([
      "stream_messages_near_limit",
    ]);
    expect(run({ messages: 99, maxMsgs: 100, bytes: 999, maxBytes: 1000 }).map((x) => x.id)).toEqual([
      "stream_messages_near_limit",
      "stream_bytes_near_limit",
    ]);
  });

  it("reads the limits from the stream's config; -1 (none) leaves them unset", () => {
    const where = { account: "APP", reportedBy: "n1" };
    const limited = streamView(
      { name: "L", config: { max_msgs: 100, max_bytes: 4096 } as never, state: { messages: 95, bytes: 3000 } },
      where,
      "led",
    );
    expect([limited.maxMsgs, limited.maxBytes, limited.messages, limited.bytes]).toEqual([100, 4096, 95, 3000]);
    const open = streamView(
      { name: "O", config: { max_msgs: -1, max_bytes: -1 } as never, state: { messages: 95 } },
      where,
      "led",
    );
    expect([open.maxMsgs, open.maxBytes, open.bytes]).toEqual([undefined, undefined, 0]);
  });
});
