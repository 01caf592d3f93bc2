// Where the embedded history lives when nothing says otherwise: the user's state directory
// (XDG_STATE_HOME, else ~/.local/state), never the working directory, which is `/` or unwritable
// for cron jobs and NRPE. A user without a usable home (NRPE's `nobody`) gets a private folder
// under the temporary directory, and `--verbose` says which one a run used.
import { accessSync, constants, mkdirSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";

type Env = Record<string, string | undefined>;

export const APP_DIR = "nats-lookout";

/** The preferred state directory for this user (may not exist yet). */
export function stateHome(env: Env): string | undefined {
  if (env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME)) return join(env.XDG_STATE_HOME, APP_DIR);
  const home = env.HOME ?? safeHomedir();
  return home && isAbsolute(home) ? join(home, ".local", "state", APP_DIR) : undefined;
}

function safeHomedir(): string | undefined {
  try {
    return homedir();
  } catch {
    return undefined;
  }
}

function usable(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The default history folder: the state directory if it can be written, else a private temp one. */
export function defaultHistoryDir(env: Env): string {
  const preferred = stateHome(env);
  if (preferred && usable(preferred)) return join(preferred, "history");
  const uid = typeof process.getuid === "function" ? process.getuid() : "user";
  return join(tmpdir(), `${APP_DIR}-${uid}`, "history");
}
