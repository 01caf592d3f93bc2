// The embedded history for `lookout watch`, `lookout check` and the demo: one JSON file per
// cluster and slice under a folder. A save writes a temp file, fsyncs it and renames it over the
// old one, so a kill -9 at any moment leaves either the old or the new document, never a torn one.
// An O_EXCL lock file makes the version check and the rename one step across processes.
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
  readdirSync,
  statSync,
} from "node:fs";
import { join } from "node:path";
import { HistoryConflictError, HistoryError } from "../errors.ts";
import {
  keyString,
  type HistoryKey,
  type HistoryStore,
  type Loaded,
  type SaveReport,
  type SliceHistory,
} from "./store.ts";

const safe = (s: string) => encodeURIComponent(s).replace(/\./g, "%2E");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class FileHistoryStore implements HistoryStore {
  readonly kind = "file";
  get location(): string {
    return this.dir;
  }
  constructor(
    readonly dir: string,
    private readonly lockWaitMs = 5_000,
  ) {}

  private path(k: HistoryKey): string {
    return join(this.dir, safe(k.cluster), `${k.slice}.json`);
  }

  async load<O>(key: HistoryKey): Promise<Loaded<O> | undefined> {
    let text: string;
    try {
      text = readFileSync(this.path(key), "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new HistoryError(`cannot read history ${this.path(key)}: ${(e as Error).message}`, { cause: e });
    }
    try {
      const parsed = JSON.parse(text) as Loaded<O>;
      if (typeof parsed.version !== "number" || !parsed.doc) throw new Error("missing version or doc");
      return parsed;
    } catch (e) {
      throw new HistoryError(`history file ${this.path(key)} is not a history document: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }

  async save<O>(key: HistoryKey, doc: SliceHistory<O>, expectedVersion: number | undefined): Promise<SaveReport> {
    const file = this.path(key);
    const dir = join(this.dir, safe(key.cluster));
    mkdirSync(dir, { recursive: true });
    const release = await this.lock(`${file}.lock`);
    try {
      const current = await this.load<O>(key);
      if (current?.version !== expectedVersion) throw new HistoryConflictError(keyString(key), expectedVersion);
      const version = (expectedVersion ?? 0) + 1;
      const body = JSON.stringify({ version, doc });
      const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
      const fd = openSync(tmp, "w");
      try {
        writeSync(fd, body);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, file);
      // Make the rename itself durable.
      const dfd = openSync(dir, "r");
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
      this.sweepTemps(dir);
      return { version, bytes: Buffer.byteLength(body), items: 1 };
    } finally {
      release();
    }
  }

  /** Temp files left by a killed run are garbage: the rename never happened. */
  private sweepTemps(dir: string): void {
    for (const f of readdirSync(dir)) {
      if (!f.endsWith(".tmp")) continue;
      const pid = Number(f.split(".").at(-3));
      if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) rmSync(join(dir, f), { force: true });
    }
  }

  private async lock(lockFile: string): Promise<() => void> {
    const deadline = Date.now() + this.lockWaitMs;
    for (;;) {
      try {
        const fd = openSync(lockFile, "wx");
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return () => rmSync(lockFile, { force: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST")
          throw new HistoryError(`cannot lock ${lockFile}: ${(e as Error).message}`, { cause: e });
      }
      // A lock whose owner died (kill -9 mid-save) is stale.
      try {
        const owner = Number(readFileSync(lockFile, "utf8"));
        const age = Date.now() - statSync(lockFile).mtimeMs;
        if ((Number.isInteger(owner) && owner > 0 && !alive(owner)) || age > 60_000) rmSync(lockFile, { force: true });
      } catch {
        // it vanished meanwhile: try again
      }
      if (Date.now() > deadline) throw new HistoryError(`history ${lockFile} stayed locked for ${this.lockWaitMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
