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

export async function connectNats(c: NatsConnectionConfig, timeoutMs: number, extra: Partial<ConnectionOptions> = {}): Promise<NatsConnection> {
  return connect({ ...connectionOptions(c, timeoutMs), ...extra });
}

/** A short, secret-free reason for a failed connection or request. */
export function describeNatsError(e: unknown, c: NatsConnectionConfig): string {
  const err = e as { message?: string; code?: string; name?: string; cause?: unknown };
  let msg = String(err?.message ?? e);
  const cause = err?.cause as { message?: string } | undefined;
  if (cause?.message && !msg.includes(cause.message)) msg += `: ${cause.message}`;
  // Never echo a secret back, whatever the library put in its message.
  for (const secret of [c.password, c.token]) if (secret) msg = msg.split(secret).join("***");
  if (/authorization|authentication|auth/i.test(msg)) return `authentication failed (${msg})`;
  if (/no responders/i.test(msg)) return `no responders for ${/'([^']+)'/.exec(msg)?.[1] ?? "the request"}: these credentials are probably not the system account's (system mode needs them; use mode "account" otherwise)`;
  if (/tls|certificate|ssl|handshake/i.test(msg)) return `TLS failure (${msg})`;
  if (/ECONNREFUSED|CONNECTION_REFUSED/i.test(msg)) return `connection refused by ${c.servers.join(", ")} (${msg})`;
  if (/timeout|TIMEOUT/i.test(msg)) return `timed out (${msg})`;
  return msg;
}
