// The one validator of hand-written JSON (the configuration file, LOOKOUT_CONFIG, the CDK
// environment files): every problem is collected, each naming its key path and the bad value, so
// a user fixes them all in one go. Readers return undefined for a missing or bad value.
import { isObj, type Obj } from "../core/guards.ts";
import { parseDurationMs } from "../thresholds/duration.ts";

const show = (v: unknown) => JSON.stringify(v);

export const splitList = (s: string): string[] =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

export interface StringRule {
  /** The value must match this. */
  pattern?: RegExp;
  /** What a valid value looks like, for the message. */
  hint?: string;
  required?: boolean;
}

export class Validator {
  readonly problems: string[] = [];
  /** `prefix` names the document in every message (e.g. `lookout.json: `). */
  constructor(private readonly prefix = "") {}

  bad(path: string, msg: string): undefined {
    this.problems.push(`${this.prefix}${path}: ${msg}`);
    return undefined;
  }

  known(o: Obj, path: string, keys: readonly string[]): void {
    for (const k of Object.keys(o))
      if (!keys.includes(k)) this.bad(path ? `${path}.${k}` : k, `unknown key (expected one of ${keys.join(", ")})`);
  }

  obj(o: Obj, key: string, path: string, required = false): Obj | undefined {
    const v = o[key];
    if (v === undefined) return required ? this.bad(path, "required") : undefined;
    return isObj(v) ? v : this.bad(path, `expected an object, got ${show(v)}`);
  }

  str(o: Obj, key: string, path: string, rule: StringRule = {}): string | undefined {
    const v = o[key];
    const hint = rule.hint ?? "";
    if (v === undefined) return rule.required ? this.bad(path, `required${hint ? ` (${hint})` : ""}`) : undefined;
    if (typeof v !== "string" || v === "") return this.bad(path, `expected a non-empty string, got ${show(v)}`);
    if (rule.pattern && !rule.pattern.test(v))
      return this.bad(path, `${show(v)} is not valid${hint ? `: ${hint}` : ""}`);
    return v;
  }

  /** A list of non-empty strings; with `commaText`, also one comma-separated string. */
  strings(o: Obj, key: string, path: string, rule: StringRule & { commaText?: boolean } = {}): string[] | undefined {
    const v = o[key];
    if (v === undefined) return undefined;
    if (rule.commaText && typeof v === "string") return splitList(v);
    if (!Array.isArray(v) || !v.every((x) => typeof x === "string" && x !== ""))
      return this.bad(path, `expected a list of strings, got ${show(v)}`);
    const hint = rule.hint ?? "";
    for (const x of v as string[])
      if (rule.pattern && !rule.pattern.test(x)) this.bad(path, `${show(x)} is not valid${hint ? `: ${hint}` : ""}`);
    return v as string[];
  }

  bool(o: Obj, key: string, path: string): boolean | undefined {
    const v = o[key];
    if (v === undefined) return undefined;
    return typeof v === "boolean" ? v : this.bad(path, `expected true or false, got ${show(v)}`);
  }

  /** A whole number; with `min`, at least that. */
  int(o: Obj, key: string, path: string, min?: number): number | undefined {
    const v = o[key];
    if (v === undefined) return undefined;
    const ok = typeof v === "number" && Number.isInteger(v) && (min === undefined || v >= min);
    if (ok) return v;
    return this.bad(
      path,
      min === undefined ? `expected a whole number, got ${show(v)}` : `expected an integer >= ${min}, got ${show(v)}`,
    );
  }

  /** A positive duration in the NATS tools' syntax (a bare number is seconds), in ms. */
  duration(o: Obj, key: string, path: string, example = "30s", required = false): number | undefined {
    const v = o[key];
    if (v === undefined) return required ? this.bad(path, `required (a duration such as "${example}")`) : undefined;
    if (typeof v !== "string" && typeof v !== "number")
      return this.bad(path, `expected a duration such as "${example}", got ${show(v)}`);
    const ms = parseDurationMs(String(v));
    if (ms instanceof Error) return this.bad(path, ms.message);
    return ms > 0 ? ms : this.bad(path, `must be positive, got ${show(v)}`);
  }
}
