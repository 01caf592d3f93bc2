// The connection settings' cross-field rules, applied once at start: server URLs as the `nats` CLI
// takes them (user info becomes credentials and is dropped from the URL), a lone user is a token
// (as in the `nats` CLI), one kind of credentials, and every file named must be readable now, so a
// typo is a configuration error, never a blind run that pages people.
import { accessSync, constants } from "node:fs";
import type { NatsConnectionConfig } from "./config.ts";
import { parseServerList } from "./server-urls.ts";

function readable(path: string, key: string, problems: string[]): void {
  try {
    accessSync(path, constants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "error";
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code;
    problems.push(`${key}: cannot read ${JSON.stringify(path)} (${why})`);
  }
}

export function finishConnection(n: NatsConnectionConfig, problems: string[]): NatsConnectionConfig {
  const parsed = parseServerList(n.servers, "nats.servers");
  problems.push(...parsed.problems);
  if (n.servers.length === 0) problems.push("nats.servers: at least one server URL is required (NATS_URL or --server)");
  const out: NatsConnectionConfig = { ...n, servers: parsed.servers };

  if (out.user !== undefined && out.password === undefined) {
    // `nats --user X` without a password sends X as a token; so do we.
    if (out.token === undefined) out.token = out.user;
    else problems.push("nats: a user without a password is a token, and a token is also given: give one");
    delete out.user;
  }
  if (out.password !== undefined && out.user === undefined) problems.push("nats: a password needs a user");

  const explicit = [
    out.password !== undefined,
    out.token !== undefined,
    out.creds !== undefined,
    out.nkey !== undefined,
  ];
  if (explicit.filter(Boolean).length > 1) problems.push("nats: choose one of user/password, token, creds or nkey");
  // Credentials in the URLs apply when nothing else was given (explicit settings win, as in `nats`).
  if (!explicit.some(Boolean)) Object.assign(out, parsed.credentials);

  if (out.creds !== undefined) readable(out.creds, "nats.creds", problems);
  if (out.nkey !== undefined) readable(out.nkey, "nats.nkey", problems);
  for (const k of ["ca", "cert", "key"] as const) {
    const path = out.tls?.[k];
    if (path !== undefined) readable(path, `nats.tls.${k}`, problems);
  }
  if ((out.tls?.cert === undefined) !== (out.tls?.key === undefined))
    problems.push("nats.tls: cert and key go together");
  return out;
}
