// Durations as the NATS tools write them (jsm.go ParseDuration): Go syntax (`30s`, `5m`, `1h30m`,
// `1.5h`, `500ms`, `250us`, `10ns`) plus `d`, `w`, `M` (30 days) and `y` (365 days). Unlike jsm.go,
// a bare number means seconds, because the seed write-up for mirrors stores `seen-critical=120`.

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  M: 30 * 86_400_000,
  y: 365 * 86_400_000,
};
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d|w|M|y)/y;

/** Milliseconds, or an Error saying what is wrong with the text. */
export function parseDurationMs(text: string): number | Error {
  const s = text.trim();
  if (s === "") return new Error("empty duration");
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(s)) return Number(s) * 1000;
  let i = 0;
  let sign = 1;
  if (s[0] === "-" || s[0] === "+") {
    sign = s[0] === "-" ? -1 : 1;
    i = 1;
  }
  let total = 0;
  let parts = 0;
  while (i < s.length) {
    PART.lastIndex = i;
    const m = PART.exec(s);
    if (!m) return new Error(`"${text}" is not a duration (use e.g. 30s, 5m, 1h30m, 2d; a bare number means seconds)`);
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    i = PART.lastIndex;
    parts++;
  }
  if (parts === 0) return new Error(`"${text}" is not a duration`);
  return sign * total;
}

/** Human form for summaries: 1m30s, 4.2s, 350ms. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  const totalS = Math.round(ms / 1000);
  const d = Math.floor(totalS / 86400);
  const h = Math.floor((totalS % 86400) / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = totalS % 60;
  return [d && `${d}d`, h && `${h}h`, m && `${m}m`, s && `${s}s`].filter(Boolean).join("") || "0s";
}

/** Go time.Duration (nanoseconds on the wire) to milliseconds. */
export const nanosToMs = (ns: number): number => ns / 1e6;
