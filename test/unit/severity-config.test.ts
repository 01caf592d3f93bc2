// `alerts.severity.<check id>` (critical | warning | off): read and validated with the rest of the
// configuration, applied to a run's findings before they become alerts; and the META_003 schedule
// rule that rejects a configuration in which the check could never fire.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applySeverityPolicy } from "../../lib/checks/severity.ts";
import type { LookoutConfig } from "../../lib/config/config.ts";
import type { Finding } from "../../lib/findings/finding.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import { runSlice } from "../../lib/run/run-slice.ts";
import type { Slice, SnapshotBase } from "../../lib/slices/slice.ts";
import { noConnection, peerSeen, scriptedSlice } from "../lifecycle/scripted-slice.ts";
import { describe, expect, it } from "vitest";
import { buildConfig } from "../../lib/config/load.ts";
import { ConfigError } from "../../lib/errors.ts";
import { metaSlice } from "../../lib/slices/meta.ts";
import { streamsSlice } from "../../lib/slices/streams.ts";
import { newRequestStats } from "../../lib/nats/stats.ts";
import { peer, snapshot, stream, upstream } from "../streams/builders.ts";

const problemsOf = (doc: unknown): string[] => {
  try {
    buildConfig(doc, {}, "lookout.json");
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

/** What the run pipeline reports for a slice's judgement: the policy applied to its findings. */
function judged<S extends SnapshotBase, O>(
  slice: Slice<S, O>,
  snap: S,
  prev: O | undefined,
  cfg: LookoutConfig,
): Finding[] {
  return applySeverityPolicy(slice.judge(snap, prev, cfg).findings, cfg.alerts.severity);
}

describe("alerts.severity", () => {
  it("reads a severity per check id", () => {
    const c = buildConfig(
      {
        alerts: {
          severity: { mirror_stalled: "critical", stream_peer_lag: "warning", meta_leader_disagreement: "off" },
        },
      },
      {},
    );
    expect(c.alerts.severity).toEqual({
      mirror_stalled: "critical",
      stream_peer_lag: "warning",
      meta_leader_disagreement: "off",
    });
  });

  it("rejects unknown check ids, unknown severities and turning the blind alert off, all at once and by name", () => {
    const p = problemsOf({
      alerts: {
        severity: { stream_peer_sen: "warning", mirror_stalled: "page", monitor_blind: "off", meta_peer_seen: 2 },
      },
    });
    expect(p).toEqual([
      expect.stringMatching(
        /^lookout.json: alerts.severity.stream_peer_sen: unknown check id \(known: monitor_blind, monitor_partial, .*stream_peer_seen/,
      ),
      'lookout.json: alerts.severity.mirror_stalled: expected "critical", "warning", "off", got "page"',
      expect.stringMatching(/^lookout.json: alerts.severity.monitor_blind: cannot be "off"/),
      'lookout.json: alerts.severity.meta_peer_seen: expected "critical", "warning", "off", got 2',
    ]);
  });

  it("is applied to a run's findings before reconcile: a new severity, or dropped when off", () => {
    const v = stream("A", { peers: [peer("n2", { activeMs: 90_000 }), peer("n3", { lag: 50 })] });
    const cfg = buildConfig(
      {
        thresholds: { streams: { defaults: { "peer-lag-critical": 10 } } },
        alerts: { severity: { stream_peer_seen: "warning", stream_peer_lag: "off" } },
      },
      {},
    );
    const fs = judged(streamsSlice, snapshot([v]), undefined, cfg);
    expect(fs.map((f) => [f.id, f.severity])).toEqual([["stream_peer_seen", "warning"]]);
    // JETSTREAM_015 ships as a warning; a team that wants it paged says so.
    const src = stream("SRC", { R: 1, lastSeq: 100 });
    const m = (activeMs: number) => stream("BACKUP", { R: 1, mirror: upstream("SRC", { activeMs }) });
    const paged = buildConfig({ alerts: { severity: { mirror_stalled: "critical" } } }, {});
    const prev = streamsSlice.judge(snapshot([src, m(500)]), undefined, paged).observation;
    const stalled = judged(
      streamsSlice,
      snapshot([{ ...src, lastSeq: 120 }, m(400_000)], { collectedAt: snapshot([]).collectedAt + 60_000 }),
      prev,
      paged,
    );
    expect(stalled.map((f) => [f.code, f.severity])).toEqual([["JETSTREAM_015", "critical"]]);
  });

  it("applies to the meta slice too", () => {
    const cfg = buildConfig({ alerts: { severity: { monitor_blind: "warning" } } }, {});
    const blind = judged(
      metaSlice,
      {
        collectedAt: 0,
        cluster: "c",
        blind: "connection refused",
        servers: [],
        expectedServers: undefined,
        problems: [],
        stats: newRequestStats(),
      },
      undefined,
      cfg,
    );
    expect(blind.map((f) => [f.id, f.severity])).toEqual([["monitor_blind", "warning"]]);
  });

  it("is applied by the run pipeline, once, for every slice", async () => {
    const cfg = buildConfig({ cluster: "c1", alerts: { severity: { meta_peer_seen: "warning" } } }, {});
    const history = new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-severity-")));
    const report = await runSlice(scriptedSlice({ findings: [peerSeen("n2")], covers: () => true }), {
      config: cfg,
      history,
      notifiers: [],
      connection: noConnection,
    });
    expect(report.findings.map((f) => [f.id, f.severity])).toEqual([["meta_peer_seen", "warning"]]);
    expect(report.status).toBe("warning");
  });
});

describe("META_003 schedule", () => {
  it("rejects a meta schedule at which the check can never fire, saying what to change", () => {
    expect(problemsOf({ slices: { meta: { every: "6m" } } })).toEqual([
      "lookout.json: slices.meta.every: the meta slice runs every 6m against thresholds.meta.flap-window 10m: counting by leader name (servers before 2.10.17, or without RAFTZ permission) sees at most one change per run, so at most 1 in the window, never more than thresholds.meta.flap-max-changes (1), so META_003 could never fire; run it at least every 5m, widen the window or lower flap-max-changes",
    ]);
    expect(problemsOf({ slices: { meta: { every: "6m" } }, thresholds: { meta: { "flap-window": "30m" } } })).toEqual(
      [],
    );
    expect(problemsOf({ slices: { meta: { every: "6m", enabled: false } } })).toEqual([]);
  });
});
