/**
 * Build benchbook's command line into one JavaScript file that plain Node.js
 * runs without node_modules (for a benchmark machine with no npm and no
 * network):
 *
 *   node --import tsx scripts/cli/bundle.ts [--out dist/benchbook.mjs]
 *   node dist/benchbook.mjs bench plan.yaml
 *
 * Left out: @duckdb/node-api (native; `export` and `build` need it, `bench`,
 * `import`, `parse`, `list` and `compare` do not). A command that uses it
 * fails with a message naming it. `import --jobs`
 * above 1 needs the worker file beside the sources: in the bundle, use one job.
 */
import {build, type Plugin} from "esbuild";
import {readFileSync} from "node:fs";
import {parseArgs} from "node:util";

const LEFT_OUT = ["@duckdb/node-api"];

/**
 * A stand-in with the real module's export names. Each export is inert: calls
 * and property reads give more stand-ins (export.ts computes a few types at
 * load), and awaiting or constructing one fails with a message, so a command
 * that uses the module fails and one that merely loads it does not.
 */
async function standIn(name: string): Promise<string> {
  const names = Object.keys(await import(name)).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== "default");
  const message = JSON.stringify(`${name} is not in this one-file build of benchbook: run this command from a checkout (npx benchbook)`);
  return `const fail = () => { throw new Error(${message}); };
const inert = () => new Proxy(function () {}, {
  get: (_, key) => (key === "then" ? fail() : typeof key === "symbol" ? undefined : inert()),
  apply: () => inert(),
  construct: fail,
});
${names.map((n) => `export const ${n} = inert();`).join("\n")}
export default inert();`;
}

const leftOut: Plugin = {
  name: "left-out",
  setup(b) {
    b.onResolve({filter: new RegExp(`^(${LEFT_OUT.map((n) => n.replace(/[/.]/g, "\\$&")).join("|")})$`)}, (args) => ({path: args.path, namespace: "left-out"}));
    b.onLoad({filter: /.*/, namespace: "left-out"}, async (args) => ({loader: "js", contents: await standIn(args.path)}));
  },
};

const {values} = parseArgs({options: {out: {type: "string", default: "dist/benchbook.mjs"}}});
const version = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {version: string}).version;

await build({
  entryPoints: [new URL("./standalone.ts", import.meta.url).pathname],
  outfile: values.out,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  plugins: [leftOut],
  // Bundled CommonJS packages call require(); ESM output has none of its own.
  banner: {js: `#!/usr/bin/env node\n// benchbook ${version}, one-file build (scripts/cli/bundle.ts)\nimport {createRequire as __benchbookRequire} from "node:module";\nconst require = __benchbookRequire(import.meta.url);`},
  logLevel: "warning",
});
console.log(values.out);
