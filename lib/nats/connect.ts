// Turns the connection configuration into a nats.js connection. The monitor fails fast rather than
// reconnecting for minutes: a run that cannot connect reports itself blind and the next run retries.
import { readFileSync } from "node:fs";
import { connect, type ConnectionOptions, type NatsConnection } from "@nats-io/transport-node";
import { credsAuthenticator, nkeyAuthenticator } from "@nats-io/nats-core";
import type { NatsConnectionConfig } from "../config/config.ts";

export function connectionOptions(c: NatsConnectionConfig, timeoutMs: number): ConnectionOptions {
  const o: ConnectionOptions = {
    servers: c.servers,
    name: "nats-lookout",
    timeout: timeoutMs,
    maxReconnectAttempts: 0,
    reconnect: false,
  };
  if (c.user !== undefined) o.user = c.user;
  if (c.password !== undefined) o.pass = c.password;
  if (c.token !== undefined) o.token = c.token;
  if (c.creds) o.authenticator = credsAuthenticator(readFileSync(c.creds));
  if (c.nkey) o.authenticator = nkeyAuthenticator(new TextEncoder().encode(readFileSync(c.nkey, "utf8").trim()));
  if (c.tls) {
    o.tls = {};
    if (c.tls.ca) o.tls.caFile = c.tls.ca;
    if (c.tls.cert) o.tls.certFile = c.tls.cert;
    if (c.tls.key) o.tls.keyFile = c.tls.key;
  }
  return o;
}

export async function connectNats(
  c: NatsConnectionConfig,
  timeoutMs: number,
  extra: Partial<ConnectionOptions> = {},
): Promise<NatsConnection> {
  return connect({ ...connectionOptions(c, timeoutMs), ...extra });
}

/**
 * Every secret value the connection settings hold, in the forms a message could carry it (raw and
 * percent-encoded), so no library message can echo one. File-held secrets are read here once.
 */
export function secretValues(c: NatsConnectionConfig): string[] {
  const out = [c.password, c.token];
  const fileLines = (path: string | undefined) => {
    if (!path) return;
    try {
      for (const line of readFileSync(path, "utf8").split("\n"))
        if (line.trim().length >= 16 && !line.includes("-----")) out.push(line.trim());
    } catch {
      // unreadable now: nothing from it can reach a message either
    }
  };
  fileLines(c.creds);
  fileLines(c.nkey);
  fileLines(c.tls?.key);
  const values = out.filter((v): v is string => !!v && v.length >= 3);
  return [...new Set(values.flatMap((v) => [v, encodeURIComponent(v)]))].sort((a, b) => b.length - a.length);
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join("***");
  return out;
}

/** The servers refused the login (bad or rotated credentials). */
export function isAuthError(e: unknown): boolean {
  const err = e as { message?: string; code?: string };
  return /authorization|authentication|auth/i.test(`${err?.code ?? ""} ${err?.message ?? String(e)}`);
}

/** A short, secret-free reason for a failed connection or request. */
export function describeNatsError(e: unknown, c: NatsConnectionConfig, secrets = secretValues(c)): string {
  const err = e as { message?: string; code?: string; name?: string; cause?: unknown };
  let msg = String(err?.message ?? e);
  const cause = err?.cause as { message?: string } | undefined;
  if (cause?.message && !msg.includes(cause.message)) msg += `: ${cause.message}`;
  // Never echo a secret back, whatever the library put in its message.
  msg = redact(msg, secrets);
  if (/authorization|authentication|auth/i.test(msg)) return `authentication failed (${msg})`;
  if (/no responders/i.test(msg))
    return `no responders for ${/'([^']+)'/.exec(msg)?.[1] ?? "the request"}: these credentials are probably not the system account's (system mode needs them; use mode "account" otherwise)`;
  if (/tls|certificate|ssl|handshake/i.test(msg)) return `TLS failure (${msg})`;
  if (/ECONNREFUSED|CONNECTION_REFUSED/i.test(msg)) return `connection refused by ${c.servers.join(", ")} (${msg})`;
  if (/timeout|TIMEOUT/i.test(msg)) return `timed out (${msg})`;
  return msg;
}
