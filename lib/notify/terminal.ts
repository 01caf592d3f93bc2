// Prints only what changed (new, reminder, resolved), one block per notice, coloured by severity
// when the output is a terminal.
import type { Notice } from "../alerts/alert.ts";
import { describeSubject } from "../findings/finding.ts";
import { formatDuration } from "../thresholds/duration.ts";
import { allDelivered, type DeliveryContext, type DeliveryResult, type Notifier } from "./notifier.ts";

const COLORS = {
  critical: "\x1b[31m",
  warning: "\x1b[33m",
  info: "\x1b[36m",
  resolved: "\x1b[32m",
  dim: "\x1b[2m",
  reset: "\x1b[0m",
};

export function formatNoticeText(n: Notice, color: boolean, slice?: string): string {
  const f = n.finding;
  const paint = (c: keyof typeof COLORS, s: string) => (color ? `${COLORS[c]}${s}${COLORS.reset}` : s);
  const time = new Date(n.at).toISOString().replace("T", " ").slice(0, 19);
  const label =
    n.kind === "resolved"
      ? paint("resolved", "RESOLVED")
      : paint(f.severity, `${f.severity.toUpperCase()}${n.kind === "reminder" ? " (reminder)" : ""}`);
  const code = f.code ? ` ${f.code}` : "";
  const where = describeSubject(f.subject);
  const head = `${time} ${label} ${f.id}${code}${where ? ` [${where}]` : ""}${slice ? paint("dim", ` (${slice} slice)`) : ""}`;
  if (n.kind === "resolved") return `${head}\n    cleared after ${formatDuration(n.durationMs ?? 0)}: ${f.summary}`;
  return [
    head,
    `    ${f.summary}`,
    paint("dim", `    why: ${f.why}`),
    paint("dim", `    do:  ${f.action}`),
    paint("dim", `    see: ${f.commands.join("  |  ")}`),
  ].join("\n");
}

export class TerminalNotifier implements Notifier {
  readonly name = "terminal";
  constructor(
    private readonly write: (s: string) => void = (s) => process.stdout.write(s),
    private readonly color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  ) {}

  async deliver(notices: readonly Notice[], ctx: DeliveryContext): Promise<DeliveryResult> {
    for (const n of notices) this.write(`${formatNoticeText(n, this.color, ctx.slice)}\n`);
    return allDelivered(notices);
  }
}
