// The slices nats-lookout knows, by name: the key of schedules, history, functions and checks.
export const SLICE_NAMES = ["meta", "streams", "consumers", "servers"] as const;
export type SliceName = (typeof SLICE_NAMES)[number];
