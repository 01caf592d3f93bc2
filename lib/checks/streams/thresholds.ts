// Checks on the thresholds themselves: a value that does not parse, an override that cannot apply.
import type { Subject } from "../../findings/finding.ts";
import { MONITOR_PREFIX } from "../../thresholds/monitor-keys.ts";
import { finding } from "../catalog.ts";
import { label, subjectOf } from "../stream-subject.ts";
import type { StreamCheck, StreamRun } from "./run.ts";

/** A metadata value is whatever someone typed: long ones are cut so a finding stays one readable line. */
const clip = (text: string, max = 80): string =>
  text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;

/** A stream's malformed thresholds, each with the value that applies instead. */
export const thresholdInvalid: StreamCheck = (v, r, run) => {
  if (!r.invalid.length) return;
  const parts = r.invalid.map(
    (i) =>
      `${i.origin === "metadata" ? MONITOR_PREFIX : ""}${i.key}=${clip(JSON.stringify(i.value))} (${clip(i.reason)}${i.origin !== "metadata" ? `, from ${i.origin}` : ""})`,
  );
  const fallback = r.invalid
    .map((i) => (r.origin[i.key] ? `${i.key} uses the ${r.origin[i.key]} value` : `${i.key} is off`))
    .join("; ");
  const first = r.invalid[0]!;
  run.out.push(
    finding(
      "threshold_invalid",
      subjectOf(run.snap, v),
      `${label(v)}: malformed threshold ${parts.join("; ")}; ${fallback}; the stream's other checks still run`,
      {
        key: first.key,
        value: clip(first.value),
        origin: first.origin,
        invalid: r.invalid.length,
        keys: r.invalid.map((i) => i.key).join(","),
      },
    ),
  );
};

/**
 * Account mode, when the server would not say which account the credentials are: overrides that
 * name an account cannot be matched against it. Said once as a standing warning (one alert), not
 * left to fail silently. Once per run, not per stream.
 */
export function overridesUnmatched(run: StreamRun): void {
  const snap = run.snap;
  if (!snap.accountUnresolved) return;
  const scoped = run.config.overrides.filter((o) => o.account !== undefined);
  if (!scoped.length) return;
  const account = snap.streams[0]?.account ?? snap.gaps[0]?.account ?? "(this account)";
  const which = scoped.map((o) => `account ${JSON.stringify(o.account)} stream ${JSON.stringify(o.stream)}`).join("; ");
  const subject: Subject = snap.cluster ? { cluster: snap.cluster, account } : { account };
  run.out.push(
    finding(
      "threshold_invalid",
      subject,
      `${scoped.length} override(s) naming an account cannot apply: the server does not say which account these credentials belong to ($SYS.REQ.USER.INFO and $SYS.REQ.ACCOUNT.PING.STATZ unanswered or denied), so its streams are named ${account}: ${which}`,
      { overrides: scoped.length, key: "account", value: scoped.map((o) => o.account).join(","), origin: "override" },
    ),
  );
}
