// Lambda entry for the servers slice (bundled by infra/bundling.ts, scheduled by the stack).
import { makeHandler } from "../lib/lambda/handler.ts";
import { serversSlice } from "../lib/slices/servers.ts";

export const handler = makeHandler(serversSlice);
