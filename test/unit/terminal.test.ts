// The terminal notifier of `lookout watch` prints only what changed (new, reminder, resolved), with
// the slice, coloured by severity on a TTY and plain otherwise; a still-firing alert prints nothing.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildConfig } from "../../lib/config/load.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import { TerminalNotifier } from "../../lib/notify/terminal.ts";
import { runSlice } from "../../lib/run/run-slice.ts";
import { noConnection, peerSeen, scriptedSlice, type Script } from "../lifecycle/scripted-slice.ts";

describe("TerminalNotifier through the run pipeline", () => {
  async function session(color: boolean) {
    const out: string[] = [];
    const script: Script = { findings: [], covers: () => true };
    const config = buildConfig({ alerts: { resolveAfterRuns: 1, remindAfter: "1h" } }, {});
    const history = new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-term-")));
    let now = Date.parse("2026-01-01T00:00:00Z");
    const run = async () => {
      out.length = 0;
      await runSlice(scriptedSlice(script), {
        config,
        history,
        notifiers: [new TerminalNotifier((s) => out.push(s), color)],
        connection: noConnection,
        now: () => now,
      });
      now += 60_000;
      return out.join("");
    };
    return { script, run, advance: (ms: number) => (now += ms) };
  }

  it("prints new, nothing while firing, a reminder, then the resolution, plain when not a TTY", async () => {
    const s = await session(false);
    s.script.findings = [peerSeen("n2")];
    const first = await s.run();
    expect(first).toMatch(
      /^2026-01-01 00:00:00 CRITICAL meta_peer_seen \[peer n2\] \(meta slice\)\n {4}meta leader n1 last heard from n2 40s ago\n {4}why: .+\n {4}do: {2}.+\n {4}see: nats server report jetstream/,
    );
    expect(first).not.toContain("\x1b[");
    expect(await s.run()).toBe("");
    s.advance(3_600_000);
    expect(await s.run()).toMatch(/CRITICAL \(reminder\) meta_peer_seen \[peer n2\]/);
    s.script.findings = [];
    expect(await s.run()).toMatch(/RESOLVED meta_peer_seen \[peer n2\] \(meta slice\)\n {4}cleared after 1h3m: /);
  });

  it("colours by severity on a TTY", async () => {
    const s = await session(true);
    s.script.findings = [peerSeen("n2")];
    expect(await s.run()).toContain("\x1b[31mCRITICAL\x1b[0m");
    s.script.findings = [];
    expect(await s.run()).toContain("\x1b[32mRESOLVED\x1b[0m");
  });
});
