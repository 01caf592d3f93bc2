// Most streams and consumers carry no `io.nats.monitor.*` metadata: their thresholds depend only on
// which overrides match them, so they share one resolution per set of matching overrides, parsed
// once per configuration object (the result is shared: callers treat it as read-only).

/** The NATS tools' metadata namespace for thresholds. */
export const MONITOR_PREFIX = "io.nats.monitor.";

const byConfig = new WeakMap<object, Map<string, unknown>>();

export function hasMonitorKeys(metadata: Readonly<Record<string, string>>): boolean {
  for (const k in metadata) if (k.startsWith(MONITOR_PREFIX)) return true;
  return false;
}

/**
 * `applicable`: the overrides that match, later first. `resolve` parses metadata, those overrides
 * and the defaults; it runs once per set of overrides for metadata without monitor keys.
 */
export function sharedResolution<O, R>(
  config: { readonly overrides: readonly O[] },
  applicable: readonly O[],
  metadata: Readonly<Record<string, string>> | undefined,
  resolve: (applicable: readonly O[], metadata: Readonly<Record<string, string>> | undefined) => R,
): R {
  if (metadata && hasMonitorKeys(metadata)) return resolve(applicable, metadata);
  let cache = byConfig.get(config);
  if (!cache) byConfig.set(config, (cache = new Map<string, unknown>()));
  const key = applicable.map((o) => config.overrides.indexOf(o)).join(",");
  if (cache.has(key)) return cache.get(key) as R;
  const r = resolve(applicable, undefined);
  cache.set(key, r);
  return r;
}
