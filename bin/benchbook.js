#!/usr/bin/env node
// benchbook's command line. It runs the compiled JavaScript of the sources as
// they are (scripts/cli/compiled.mjs: built by `npm ci`, rebuilt once after
// an edit), and falls back to compiling the TypeScript on every start with
// tsx when it cannot be built (no esbuild, a read-only checkout).
import {compiledMain} from "../scripts/cli/compiled.mjs";

// `benchbook parse … | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

let main;
try {
  ({main} = await import(await compiledMain()));
} catch (error) {
  if (process.env.BENCHBOOK_DEBUG) console.error(`benchbook: running the TypeScript sources through tsx (no compiled build: ${error.message})`);
  const {register} = await import("tsx/esm/api");
  register();
  ({main} = await import("../scripts/cli/main.ts"));
}
process.exitCode = await main(process.argv.slice(2));
