#!/usr/bin/env node
// benchbook's command line: the TypeScript sources run through tsx, so a
// checkout needs no compile step (`npx benchbook …`).
import {register} from "tsx/esm/api";

// `benchbook parse … | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

register();
const {main} = await import("../scripts/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
