// Reading optional wire values: fields older servers omit (omitempty) are absent, never null.
export const num = (v: unknown, dflt = 0): number => (typeof v === "number" && Number.isFinite(v) ? v : dflt);
export const time = (v: unknown): number | undefined => {
  if (typeof v !== "string") return undefined;
  const t = Date.parse(v);
  return Number.isFinite(t) && t > 0 ? t : undefined;
};

/** Where an entry came from: its account and domain, the reporting server, its cluster and clock. */
export interface EntrySource {
  account: string;
  domain?: string | undefined;
  cluster?: string | undefined;
  reportedBy: string;
  serverNow?: number | undefined;
}
