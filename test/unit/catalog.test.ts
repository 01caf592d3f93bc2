// The codes in lib/checks/catalog.ts against the current public check catalog (condensed in
// docs and /work/shared/reference/check-catalog.md): a code is used only where it means what the
// catalog means, with the catalog's severity.
import { describe, expect, it } from "vitest";
import { CHECKS, checkDefinition } from "../../lib/checks/catalog.ts";

/** Current catalog codes nats-lookout may use, with the catalog's meaning and severity. */
const CATALOG: Record<string, { means: RegExp; severity: "critical" | "warning" | "dynamic" }> = {
  META_001: { means: /offline/, severity: "critical" },
  META_002: { means: /more than one (answering )?server claims to be the meta leader/, severity: "critical" },
  META_003: { means: /leader changes/, severity: "warning" },
  META_006: { means: /no meta leader|floor/, severity: "critical" },
  META_009: { means: /distinct peers/, severity: "critical" },
  JETSTREAM_003: { means: /messages >= 90% of max_msgs/, severity: "warning" },
  JETSTREAM_008: { means: /no stream leader|floor/, severity: "critical" },
  JETSTREAM_010: { means: /bytes >= 90% of max_bytes/, severity: "warning" },
  JETSTREAM_015: { means: /mirror lag 0/, severity: "warning" },
  JETSTREAM_017: { means: /messages behind/, severity: "critical" },
  JETSTREAM_018: { means: /not heard from its source/, severity: "critical" },
  JETSTREAM_019: { means: /fewer sources/, severity: "critical" },
  JETSTREAM_020: { means: /more sources/, severity: "critical" },
  JETSTREAM_021: { means: /peer-expect/, severity: "critical" },
  JETSTREAM_022: { means: /Raft entries behind/, severity: "critical" },
  JETSTREAM_023: { means: /last contact/, severity: "critical" },
  JETSTREAM_024: { means: /messages cross/, severity: "dynamic" },
  JETSTREAM_025: { means: /subjects cross/, severity: "dynamic" },
  CONSUMER_001: { means: /offline/, severity: "critical" },
  CONSUMER_002: { means: /operations behind/, severity: "warning" },
  CONSUMER_003: { means: /no consumer leader|floor/, severity: "critical" },
  CONSUMER_004: { means: /below the stream's first sequence/, severity: "critical" },
  CONSUMER_005: { means: /above the stream's last sequence/, severity: "critical" },
  CONSUMER_006: { means: /outstanding-ack-critical/, severity: "critical" },
  CONSUMER_007: { means: /waiting-critical/, severity: "critical" },
  CONSUMER_008: { means: /unprocessed-critical/, severity: "critical" },
  CONSUMER_009: { means: /last-delivery-critical/, severity: "critical" },
  CONSUMER_010: { means: /last-ack-critical/, severity: "critical" },
  CONSUMER_011: { means: /redelivery-critical/, severity: "critical" },
  CONSUMER_012: { means: /pinned_client/, severity: "critical" },
  JETSTREAM_007: { means: /memory used >= 95% of the memory streams reserved/, severity: "critical" },
  META_007: { means: /even number of members/, severity: "warning" },
  META_008: { means: /pending entries exceed 500/, severity: "warning" },
  SERVER_001: { means: /HEALTHZ status is not ok for a connection problem/, severity: "critical" },
  SERVER_002: { means: /another version than most servers of its own cluster/, severity: "warning" },
  SERVER_003: { means: /CPU use divided by its cores >= 90%/, severity: "warning" },
  SERVER_004: { means: /slow consumer count rose/, severity: "critical" },
  SERVER_005: { means: /memory used >= 90% of the memory streams reserved/, severity: "warning" },
  SERVER_007: { means: /without authentication/, severity: "critical" },
  SERVER_008: { means: /start time changed since the last run and its version did not/, severity: "critical" },
  SERVER_009: { means: /more than 2 start times .* within an hour/, severity: "critical" },
  SERVER_010: { means: /route's round-trip time is above 50 ms/, severity: "warning" },
  SERVER_011: { means: /connections >= 80% of the server's max_connections/, severity: "warning" },
  SERVER_012: { means: /stale connection count rose/, severity: "warning" },
  SERVER_013: { means: /stalled client count rose/, severity: "warning" },
  SERVER_014: { means: /JETSTREAM error/, severity: "critical" },
  SERVER_015: { means: /stream or consumer that failed to recover/, severity: "critical" },
  SERVER_016: { means: /ACCOUNT error/, severity: "warning" },
  SERVER_017: { means: /storage used >= 90% of the storage streams reserved/, severity: "warning" },
  SERVER_018: { means: /gateway's round-trip time .* above 50 ms/, severity: "warning" },
  SERVER_019: {
    means: /storage used >= 90% \(warning\) \/ 95% \(critical\) of the server's max_file_store/,
    severity: "dynamic",
  },
  CLUSTER_005: { means: /no route to some answering server of its own cluster/, severity: "warning" },
  CLUSTER_007: {
    means: /had an outbound gateway to a remote cluster .* in an earlier run and has none now/,
    severity: "critical",
  },
  LEAF_002: { means: /leaf link's round-trip time is above 100 ms/, severity: "warning" },
  ACCOUNTS_002: { means: /an account's slow consumer count rose/, severity: "critical" },
};

describe("check catalog codes", () => {
  it("uses only current catalog codes, each for what the catalog means, at its severity", () => {
    for (const c of CHECKS) {
      if (c.code === null) continue;
      const want = CATALOG[c.code];
      expect(want, `${c.id} uses ${c.code}, which is not a current catalog code for this check`).toBeDefined();
      expect(c.firesWhen, `${c.id} (${c.code})`).toMatch(want!.means);
      if (want!.severity !== "dynamic") expect(c.severity, `${c.id} (${c.code})`).toBe(want!.severity);
    }
    expect(new Set(CHECKS.map((c) => c.code).filter((x) => x !== null)).size).toBe(
      CHECKS.filter((c) => c.code !== null).length,
    );
  });

  it("gives the stream offline-replica check no code: JETSTREAM_007 is the catalog's JetStream memory check", () => {
    expect(checkDefinition("stream_replica_offline").code).toBeNull();
    expect(CHECKS.filter((c) => c.code === "JETSTREAM_007").map((c) => c.id)).toEqual([
      "server_js_memory_reserved_critical",
    ]);
  });

  it("lists the monitor's own checks under every slice that emits them", () => {
    expect(checkDefinition("monitor_blind").slices).toEqual(["meta", "streams", "consumers", "servers"]);
    expect(checkDefinition("monitor_partial").slices).toEqual(["meta", "streams", "consumers", "servers"]);
  });

  it("describes JETSTREAM_015 as the code judges it: against the source at the last run before the stall, never an idle source", () => {
    const d = checkDefinition("mirror_stalled");
    expect(d.firesWhen).not.toContain("since the previous run");
    expect(d.firesWhen).toContain("last run in which the mirror was not yet stalled");
    expect(d.firesWhen).toContain("an idle source never fires");
  });
});
