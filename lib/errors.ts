// One base error with specific subclasses: each names what went wrong and keeps its cause.

export class LookoutError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The configuration is invalid; `problems` lists every problem found, not just the first. */
export class ConfigError extends LookoutError {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
  }
}

/** A history document could not be saved because another run saved first. */
export class HistoryConflictError extends LookoutError {
  constructor(
    readonly key: string,
    readonly expectedVersion: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `history for ${key} changed since version ${expectedVersion ?? "none"} was read: another run of this slice saved first`,
      options,
    );
  }
}

/** The history store failed (unreachable, throttled beyond retries, corrupt data). */
export class HistoryError extends LookoutError {}

/** The monitor could not see the cluster at all. Raised only where a caller must fail loudly. */
export class BlindError extends LookoutError {}
