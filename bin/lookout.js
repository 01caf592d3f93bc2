#!/usr/bin/env node
// `lookout` and `nats-lookout`: the compiled CLI (dist/cli.js, built by `npm run build`; the
// published package ships it). In a checkout that was never built, the TypeScript sources run
// through tsx (a development dependency) instead.
import { existsSync } from "node:fs";
import { URL } from "node:url";

const built = new URL("../dist/cli.js", import.meta.url);
if (existsSync(built)) await import(built.href);
else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(new URL("../lib/cli/entry.ts", import.meta.url).href);
}
