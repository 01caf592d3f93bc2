// The NATS credentials live in one Secrets Manager secret, read once per cold start. Its value is
// JSON, one of:
//   {"user": "...", "password": "..."}   {"token": "..."}
//   {"creds": "<contents of a .creds file>"}   {"nkey": "<user nkey seed, SU...>"}
// optionally with "tls": {"ca": "<PEM>", "cert": "<PEM>", "key": "<PEM>"}.
// File-shaped values are written to 0600 files in a private 0700 folder under /tmp, because the
// connection settings take paths. Errors name keys, never values.
import { isObj } from "../core/guards.ts";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NatsConnectionConfig, TlsConfig } from "../config/config.ts";
import { SecretError } from "./errors.ts";

export interface NatsSecret {
  user?: string;
  password?: string;
  token?: string;
  creds?: string;
  nkey?: string;
  tls?: { ca?: string; cert?: string; key?: string };
}

const TOP_KEYS = ["user", "password", "token", "creds", "nkey", "tls"] as const;
const TLS_KEYS = ["ca", "cert", "key"] as const;
export const SECRET_SHAPES =
  '{"user","password"} | {"token"} | {"creds"} | {"nkey"}, optionally with "tls": {"ca","cert","key"}';

/** Parses and checks the secret's JSON; every problem is named by key, none shows a value. */
export function parseNatsSecret(text: string, secretArn: string): NatsSecret {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text: never pass it on.
    throw new SecretError(secretArn, `value is not JSON; expected ${SECRET_SHAPES}`);
  }
  if (!isObj(doc)) throw new SecretError(secretArn, `value is not a JSON object; expected ${SECRET_SHAPES}`);
  const problems: string[] = [];
  const out: NatsSecret = {};
  for (const [k, v] of Object.entries(doc)) {
    if (!(TOP_KEYS as readonly string[]).includes(k)) problems.push(`unknown key "${k}"`);
    else if (k === "tls") continue;
    else if (typeof v !== "string" || v.trim() === "") problems.push(`"${k}" must be a non-empty string`);
    else out[k as Exclude<(typeof TOP_KEYS)[number], "tls">] = v;
  }
  if (doc.tls !== undefined) {
    if (!isObj(doc.tls)) problems.push(`"tls" must be an object with "ca", "cert", "key"`);
    else {
      out.tls = {};
      for (const [k, v] of Object.entries(doc.tls)) {
        if (!(TLS_KEYS as readonly string[]).includes(k)) problems.push(`unknown key "tls.${k}"`);
        else if (typeof v !== "string" || v.trim() === "") problems.push(`"tls.${k}" must be a non-empty PEM string`);
        else out.tls[k as (typeof TLS_KEYS)[number]] = v;
      }
      if ((out.tls.cert === undefined) !== (out.tls.key === undefined))
        problems.push(`"tls.cert" and "tls.key" go together`);
    }
  }
  const methods = [
    out.user !== undefined || out.password !== undefined,
    out.token !== undefined,
    out.creds !== undefined,
    out.nkey !== undefined,
  ].filter(Boolean).length;
  if (methods === 0) problems.push(`no credentials: expected ${SECRET_SHAPES}`);
  if (methods > 1)
    problems.push(`more than one kind of credentials: choose one of user+password, token, creds or nkey`);
  if ((out.user === undefined) !== (out.password === undefined)) problems.push(`"user" and "password" go together`);
  if (problems.length) throw new SecretError(secretArn, problems.join("; "));
  return out;
}

/**
 * Turns the secret into connection settings. Inline credentials stay in memory; file-shaped ones
 * are written to 0600 files in a fresh 0700 folder under `baseDir` (Lambda's /tmp).
 */
export function materializeSecret(s: NatsSecret, baseDir = tmpdir()): Partial<NatsConnectionConfig> {
  const out: Partial<NatsConnectionConfig> = {};
  if (s.user !== undefined) out.user = s.user;
  if (s.password !== undefined) out.password = s.password;
  if (s.token !== undefined) out.token = s.token;
  if (s.creds === undefined && s.nkey === undefined && s.tls === undefined) return out;
  const dir = mkdtempSync(join(baseDir, "nats-lookout-"));
  chmodSync(dir, 0o700);
  const file = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content.endsWith("\n") ? content : `${content}\n`, { mode: 0o600, flag: "wx" });
    return path;
  };
  if (s.creds !== undefined) out.creds = file("user.creds", s.creds);
  if (s.nkey !== undefined) out.nkey = file("user.nk", s.nkey.trim());
  if (s.tls) {
    const tls: TlsConfig = {};
    if (s.tls.ca) tls.ca = file("ca.pem", s.tls.ca);
    if (s.tls.cert) tls.cert = file("cert.pem", s.tls.cert);
    if (s.tls.key) tls.key = file("key.pem", s.tls.key);
    out.tls = tls;
  }
  return out;
}
