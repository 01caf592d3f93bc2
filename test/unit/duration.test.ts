import { describe, expect, it } from "vitest";
import { formatDuration, parseDurationMs } from "../../lib/thresholds/duration.ts";

describe("parseDurationMs", () => {
  it.each([
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["1.5h", 5_400_000],
    ["500ms", 500],
    ["250us", 0.25],
    ["2d", 172_800_000],
    ["1w", 604_800_000],
    ["1M", 2_592_000_000],
    ["1y", 31_536_000_000],
    ["120", 120_000],
    ["0.5", 500],
    [" 10s ", 10_000],
    ["-5s", -5000],
    ["0", 0],
  ])("reads %s as %d ms", (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(["", "abc", "10x", "5 m", "s", "1h-30m", "30S"])("rejects %j with a message naming the value", (text) => {
    const r = parseDurationMs(text);
    expect(r).toBeInstanceOf(Error);
    if (text.trim()) expect((r as Error).message).toContain(text.trim());
  });
});

describe("formatDuration", () => {
  it.each([
    [350, "350ms"],
    [4200, "4.2s"],
    [90_000, "1m30s"],
    [3_600_000, "1h"],
    [90_061_000, "1d1h1m1s"],
  ])("formats %d ms as %s", (ms, s) => {
    expect(formatDuration(ms)).toBe(s);
  });
});
