import type { SliceName } from "../core/slice-name.ts";
import { consumersSlice } from "./consumers.ts";
import { metaSlice } from "./meta.ts";
import { serversSlice } from "./servers.ts";
import { streamsSlice } from "./streams.ts";
import type { Slice } from "./slice.ts";

/** Every slice, by name: the CLI picks from here (each Lambda handler imports only its own). */
export const SLICES: Partial<Record<SliceName, Slice>> = {
  meta: metaSlice,
  streams: streamsSlice,
  consumers: consumersSlice,
  servers: serversSlice,
};

export function sliceNamed(name: string): Slice {
  const s = SLICES[name as SliceName];
  if (!s) throw new Error(`unknown slice "${name}" (known: ${Object.keys(SLICES).join(", ")})`);
  return s;
}
