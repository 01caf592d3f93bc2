// Connection settings in layers, as the `nats` CLI takes them: flags > environment > the selected
// `nats` context (a JSON file in $XDG_CONFIG_HOME/nats/context, else ~/.config/nats/context; the
// selected name in ../context.txt; `--context` or NATS_CONTEXT pick another, by name or path).
// A layer that gives any credential replaces the credentials of the layers below it, so a token
// in the environment never meets a password from a context.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import type { NatsConnectionConfig } from "./config.ts";

type Env = Record<string, string | undefined>;
export type NatsLayer = Partial<NatsConnectionConfig>;

const CREDENTIAL_KEYS = ["user", "password", "token", "creds", "nkey"] as const;

export const splitList = (s: string): string[] =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

/** `higher` over `lower`: servers replace servers, credentials replace credentials, TLS files merge. */
export function overlay(lower: NatsLayer, higher: NatsLayer): NatsLayer {
  const out: NatsLayer = { ...lower };
  if (CREDENTIAL_KEYS.some((k) => higher[k] !== undefined)) for (const k of CREDENTIAL_KEYS) delete out[k];
  for (const k of ["servers", ...CREDENTIAL_KEYS] as const)
    if (higher[k] !== undefined) Object.assign(out, { [k]: higher[k] });
  if (higher.tls) out.tls = { ...lower.tls, ...higher.tls };
  return out;
}

/** NATS_URL, NATS_USER, NATS_PASSWORD, NATS_TOKEN, NATS_CREDS, NATS_NKEY, NATS_CA, NATS_CERT, NATS_KEY. */
export function natsFromEnv(env: Env): NatsLayer {
  return natsLayer({
    servers: env.NATS_URL,
    user: env.NATS_USER,
    password: env.NATS_PASSWORD,
    token: env.NATS_TOKEN,
    creds: env.NATS_CREDS,
    nkey: env.NATS_NKEY,
    ca: env.NATS_CA,
    cert: env.NATS_CERT,
    key: env.NATS_KEY,
  });
}

/** A layer from flat values (flags, environment, a context file); empty values are absent. */
export function natsLayer(
  v: Partial<
    Record<"servers" | "user" | "password" | "token" | "creds" | "nkey" | "ca" | "cert" | "key", string | undefined>
  >,
): NatsLayer {
  const out: NatsLayer = {};
  if (v.servers) out.servers = splitList(v.servers);
  for (const k of CREDENTIAL_KEYS) if (v[k]) out[k] = v[k];
  for (const k of ["ca", "cert", "key"] as const) if (v[k]) out.tls = { ...out.tls, [k]: v[k] };
  return out;
}

function contextDir(env: Env): string {
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, "nats", "context");
  return join(env.HOME ?? homedir(), ".config", "nats", "context");
}

/** Context fields nats-lookout cannot honour; a context that sets one is refused, not half-used. */
const UNSUPPORTED = ["nsc", "user_jwt", "socks_proxy", "windows_cert_store", "tls_first"] as const;

/**
 * The selected context as a layer. `name` (a `--context` flag) wins over NATS_CONTEXT, which wins
 * over the selection file. A context named explicitly must exist; no selection means no layer.
 */
export function natsFromContext(name: string | undefined, env: Env, problems: string[]): NatsLayer {
  const dir = contextDir(env);
  const explicit = name ?? env.NATS_CONTEXT;
  let selected = explicit;
  const selection = join(dir, "..", "context.txt");
  if (!selected && existsSync(selection)) selected = readFileSync(selection, "utf8").trim() || undefined;
  if (!selected) return {};
  const file = isAbsolute(selected) || selected.endsWith(".json") ? selected : join(dir, `${selected}.json`);
  const from = explicit ? (name ? "--context" : "NATS_CONTEXT") : selection;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    problems.push(
      `nats context "${selected}" (from ${from}): ${code === "ENOENT" ? `no such context file ${file}` : `cannot read ${file}: not a context file`}`,
    );
    return {};
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    problems.push(`nats context "${selected}": ${file} is not a JSON object`);
    return {};
  }
  const c = doc as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof c[k] === "string" && c[k] !== "" ? c[k] : undefined);
  for (const k of UNSUPPORTED)
    if (c[k] !== undefined && c[k] !== "" && c[k] !== false)
      problems.push(
        `nats context "${selected}": "${k}" is not supported by nats-lookout; use a creds file or user/password`,
      );
  return natsLayer({
    servers: str("url"),
    user: str("user"),
    password: str("password"),
    token: str("token"),
    creds: str("creds"),
    nkey: str("nkey"),
    ca: str("ca"),
    cert: str("cert"),
    key: str("key"),
  });
}
