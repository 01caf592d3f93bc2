// Server URLs as the `nats` CLI accepts them (`localhost`, `host:4222`, `nats://host`,
// `nats://user:pass@host`, `nats://token@host`), turned into URLs without user info plus the
// credentials the user info carried. Parsed with `URL`: the user info never survives parsing, so
// no later message, key or file name can echo it.

const DEFAULT_PORTS: Record<string, number> = { nats: 4222, tls: 4222, ws: 80, wss: 443 };

export interface UrlCredentials {
  user?: string;
  password?: string;
  token?: string;
}

export interface ParsedServers {
  /** `scheme://host:port`, never with user info. */
  servers: string[];
  /** What the URLs' user info carried (the first URL that carried any). */
  credentials: UrlCredentials;
  /** Problems, naming entries by position and their host only. */
  problems: string[];
}

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** One entry; `undefined` with a reason when it is not a NATS URL. */
function parseOne(raw: string): { url: string; credentials: UrlCredentials } | { problem: string } {
  const text = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `nats://${text}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    return { problem: "is not a NATS URL (expected nats://host:port, host:port or host)" };
  }
  const scheme = u.protocol.replace(/:$/, "").toLowerCase();
  const port = DEFAULT_PORTS[scheme];
  if (port === undefined) return { problem: `has an unsupported scheme "${scheme}" (expected nats, tls, ws or wss)` };
  if (!u.hostname) return { problem: "has no host" };
  if ((u.pathname && u.pathname !== "/") || u.search || u.hash)
    return { problem: `(host ${u.hostname}) has a path or query; expected nats://host:port` };
  const credentials: UrlCredentials = {};
  if (u.username && u.password) {
    credentials.user = decode(u.username);
    credentials.password = decode(u.password);
  } else if (u.username) credentials.token = decode(u.username);
  return { url: `${scheme}://${u.hostname}:${u.port || port}`, credentials };
}

export function parseServerList(entries: readonly string[], path: string): ParsedServers {
  const out: ParsedServers = { servers: [], credentials: {}, problems: [] };
  let from: number | undefined;
  entries.forEach((raw, i) => {
    const r = parseOne(raw);
    if ("problem" in r) return void out.problems.push(`${path}[${i}] ${r.problem}`);
    out.servers.push(r.url);
    if (!Object.keys(r.credentials).length) return;
    if (from === undefined) {
      from = i;
      out.credentials = r.credentials;
    } else if (JSON.stringify(r.credentials) !== JSON.stringify(out.credentials)) {
      out.problems.push(
        `${path}[${i}] carries other credentials than ${path}[${from}]; give one set (user info on every URL, or --user/--password)`,
      );
    }
  });
  return out;
}

/** True when any entry carries user info (a credential); nothing else is looked at. */
export function hasUserInfo(entries: readonly string[]): boolean {
  return entries.some((raw) => {
    const r = parseOne(raw);
    return !("problem" in r) && Object.keys(r.credentials).length > 0;
  });
}
