#!/usr/bin/env node
// `npx lookout` in a checkout: runs the TypeScript CLI through tsx (a dependency), no build step.
import { register } from "tsx/esm/api";
register();
const { main } = await import("../lib/cli/main.ts");
const r = await main(process.argv.slice(2));
// A check that hit its timeout leaves work behind that cannot be cancelled (a hung file system):
// exit once stdout is flushed instead of waiting for it.
if (r.mustExit) process.stdout.write("", () => process.exit(r.code));
else process.exitCode = r.code;
