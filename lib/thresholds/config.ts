// Reads `thresholds.<slice>.<key>` for the table's configuration rows (lib/thresholds/table.ts):
// one reader for every slice, so a new slice's thresholds are rows, not code. Keys are kebab-case;
// the camelCase names of 0.1 are accepted for this release, each with a warning naming the new key.
import type { Validator } from "../config/validator.ts";
import type { Obj } from "../core/guards.ts";
import type { SliceName } from "../core/slice-name.ts";
import { thresholdsOf } from "./table.ts";

/**
 * Fills `target` (the slice's typed thresholds) from `o`, the `thresholds.<slice>` object: problems
 * go to the validator, deprecation warnings to `warnings`. `structural` names the other keys the
 * object may hold (`defaults`, `overrides`), read by the caller.
 */
export function readConfigThresholds(
  r: Validator,
  o: Obj,
  slice: SliceName,
  target: object,
  warnings: string[],
  structural: readonly string[] = [],
): void {
  const out = target as Record<string, unknown>;
  const path = `thresholds.${slice}`;
  const rows = thresholdsOf(slice, "config");
  const documented = [...rows.map((t) => t.key), ...structural];
  const accepted = new Set([...documented, ...rows.flatMap((t) => (t.deprecatedName ? [t.deprecatedName] : []))]);
  for (const k of Object.keys(o))
    if (!accepted.has(k)) r.bad(`${path}.${k}`, `unknown key (expected one of ${documented.join(", ")})`);

  for (const t of rows) {
    const old = t.deprecatedName !== undefined && o[t.deprecatedName] !== undefined ? t.deprecatedName : undefined;
    if (old && o[t.key] !== undefined) {
      r.bad(`${path}.${old}`, `also given as ${path}.${t.key}: keep only ${t.key}`);
      continue;
    }
    const key = old ?? t.key;
    if (o[key] === undefined || !t.field) continue;
    if (old)
      warnings.push(
        `${path}.${old} is deprecated: write ${path}.${t.key} (keys are named as the NATS tools' io.nats.monitor.* keys; the old name is accepted in this release only)`,
      );
    const at = `${path}.${key}`;
    const value = o[key];
    // "off" (or 0) disables a threshold, as a value <= 0 does in the NATS tools.
    if (t.canTurnOff && (value === "off" || value === 0)) {
      delete out[t.field];
      continue;
    }
    const parsed =
      t.kind === "duration"
        ? r.duration(o, key, at)
        : t.kind === "integer"
          ? r.int(o, key, at, t.min)
          : r.bool(o, key, at);
    if (parsed !== undefined) out[t.field] = parsed;
  }
}
