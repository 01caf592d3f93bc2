// Health as each server reports it in HEALTHZ: SERVER_001 (connection, or unhealthy without a typed
// error), SERVER_014 (JetStream), SERVER_015 (a stream or consumer, one finding each, named),
// SERVER_016 (account). The server's own error text is the summary.
import { finding } from "../catalog.ts";
import type { Finding } from "../../findings/finding.ts";
import type { ServersSnapshot } from "../../snapshot/servers.ts";
import { serverSubject } from "./subject.ts";

export function healthFindings(snap: ServersSnapshot): Finding[] {
  const out: Finding[] = [];
  for (const s of snap.servers) {
    const h = s.health;
    if (!h || (h.status === "ok" && h.errors.length === 0)) continue;
    const subject = serverSubject(snap, s);
    const base = { status: h.status, status_code: h.statusCode ?? null };
    let typed = false;
    for (const e of h.errors) {
      const type = (e.type ?? "").toUpperCase();
      if (type === "JETSTREAM") {
        out.push(
          finding("server_health_jetstream", subject, `${s.name} reports JetStream unhealthy: ${e.error}`, {
            ...base,
            error: e.error,
          }),
        );
      } else if (type === "STREAM" || type === "CONSUMER") {
        const sub = {
          ...subject,
          ...(e.account ? { account: e.account } : {}),
          ...(e.stream ? { stream: e.stream } : {}),
          ...(e.consumer ? { consumer: e.consumer } : {}),
        };
        const what = e.consumer
          ? `consumer ${e.account ?? "?"} > ${e.stream ?? "?"} > ${e.consumer}`
          : `stream ${e.account ?? "?"} > ${e.stream ?? "?"}`;
        out.push(
          finding("server_health_asset", sub, `${s.name}: ${what} unhealthy: ${e.error}`, {
            ...base,
            type,
            error: e.error,
          }),
        );
      } else if (type === "ACCOUNT") {
        const sub = e.account ? { ...subject, account: e.account } : subject;
        out.push(
          finding("server_health_account", sub, `${s.name}: account ${e.account ?? "?"} unhealthy: ${e.error}`, {
            ...base,
            error: e.error,
          }),
        );
      } else continue;
      typed = true;
    }
    // CONNECTION, BAD_REQUEST, an untyped error (2.9) or a bare status: the server is not healthy.
    if (!typed) {
      const text =
        h.errors
          .map((e) => e.error)
          .filter(Boolean)
          .join("; ") ||
        h.error ||
        `status ${h.status}`;
      out.push(finding("server_health", subject, `${s.name} reports unhealthy: ${text}`, { ...base, error: text }));
    }
  }
  return out;
}
