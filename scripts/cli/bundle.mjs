// `npm run bundle`: the CLI as a few files in bundle/ that plain Node runs without node_modules, for a
// machine that only runs benchmarks. @duckdb/node-api (native) stays outside: commands that query or export
// need it. `--out DIR` writes elsewhere (scripts/gpu-run/stage.sh).
import {build} from "esbuild";
import {copyFileSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {basename, join, resolve} from "node:path";
import {parseArgs} from "node:util";
import {ROOT} from "./compiled.mjs";

const {values} = parseArgs({options: {out: {type: "string"}}});
const out = values.out ? resolve(values.out) : join(ROOT, "bundle");
const DATA_FILES = ["scripts/efficiency/devices.csv"];
rmSync(out, {recursive: true, force: true});
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
await build({
  absWorkingDir: ROOT,
  entryPoints: {
    benchbook: "scripts/cli/run.ts",
    "worker-entry": "scripts/import/worker.ts",
    "shard-worker-entry": "scripts/export/shard-worker.ts"
  },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outdir: out,
  outExtension: {".js": ".mjs"},
  external: ["@duckdb/node-api", "@observablehq/framework", "playwright-core", "esbuild", "tsx"],
  // Bundled CommonJS dependencies call require().
  banner: {
    js: 'import {createRequire as __bbRequire} from "node:module"; const require = __bbRequire(import.meta.url);'
  },
  define: {BENCHBOOK_VERSION: JSON.stringify(pkg.version)},
  logLevel: "warning"
});
writeFileSync(join(out, "package.json"), JSON.stringify({name: pkg.name, version: pkg.version, type: "module"}) + "\n");
// Data files modules read beside themselves (new URL("./x", import.meta.url)): beside the bundle's chunks.
for (const file of DATA_FILES) copyFileSync(join(ROOT, file), join(out, basename(file)));
console.log(`benchbook: bundled into ${out}`);
