#!/usr/bin/env node
// benchbook's command line. It runs the compiled JavaScript of the sources as
// they are (scripts/cli/compiled.mjs: built by `npm ci`, rebuilt once after
// an edit), and falls back to compiling the TypeScript on every start with
// tsx when it cannot be built (no esbuild, a read-only checkout).
import {compiledMain} from "../scripts/cli/compiled.mjs";

let run;
try {
  run = (await compiledMain()).replace(/main\.js$/, "run.js");
} catch (error) {
  if (process.env.BENCHBOOK_DEBUG)
    console.error(`benchbook: running the TypeScript sources through tsx (no compiled build: ${error.message})`);
  const {register} = await import("tsx/esm/api");
  register();
  run = "../scripts/cli/run.ts";
}
await import(run);
