// benchbook's TypeScript compiled to JavaScript once, so that the CLI starts
// without compiling its sources on every run (tsx took 2–5 s for --help).
//
// The tree (scripts/) is compiled file by file with esbuild into .build/<stamp>/, keeping its layout
// (other files, such as a CSV a module reads beside itself, are copied),
// so relative imports, workers' `new URL("./x-entry.mjs", import.meta.url)`
// and package.json two folders above scripts/cli all resolve as in the source.
// The stamp hashes every source file's path, size and mtime and package.json:
// an edited checkout gets a fresh build on its next run, and a build is never
// used for other sources. `npm ci` builds it through the `prepare` script;
// `node scripts/cli/compiled.mjs` builds it by hand.
//
// Plain JavaScript on purpose: bin/benchbook.js loads it before anything is compiled.
import {createHash} from "node:crypto";
import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from "node:fs";
import {dirname, join, relative} from "node:path";
import {fileURLToPath} from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const SOURCES = ["scripts"];
/** Builds older than this that are no longer current are removed (a process started on one may still load modules from it). */
const KEEP_OLD_MS = 60 * 60 * 1000;

function sourceFiles(dir, files = []) {
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(path, files);
    else if (!/\.d\.m?ts$/.test(entry.name)) files.push(path);
  }
  return files;
}

/** The sources and a stamp naming their current state. */
export function sourceState(root = ROOT) {
  const files = SOURCES.flatMap((dir) => sourceFiles(join(root, dir))).sort();
  const hash = createHash("sha1");
  for (const file of [...files, join(root, "package.json")]) {
    const stat = statSync(file);
    hash.update(`${relative(root, file)}\0${stat.size}\0${stat.mtimeMs}\n`);
  }
  return {files, stamp: hash.digest("hex").slice(0, 16)};
}

/** A worker entry registers tsx and imports its TypeScript sibling; compiled, it imports the JavaScript one. */
function compiledEntry(text) {
  const imports = [...text.matchAll(/^await import\("(\.\/[\w-]+)\.ts"\);$/gm)].map((m) => `await import("${m[1]}.js");\n`);
  if (!imports.length) return text;
  return `// Compiled by scripts/cli/compiled.mjs: the worker's compiled module, without tsx.\n${imports.join("")}`;
}

/** Compile the sources into .build/<stamp>/ (atomically: a tree is renamed into place whole). */
export async function build(root = ROOT) {
  const {files, stamp} = sourceState(root);
  const out = join(root, ".build", stamp);
  if (existsSync(join(out, "scripts/cli/main.js"))) return out;
  const esbuild = await import("esbuild");
  const tmp = join(root, ".build", `.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(tmp, {recursive: true});
  try {
    await esbuild.build({
      entryPoints: files.filter((f) => f.endsWith(".ts")),
      outdir: tmp,
      outbase: root,
      format: "esm",
      platform: "node",
      target: "node20",
      sourcemap: "inline",
      logLevel: "silent"
    });
    // Worker entries rewritten, data files (a CSV read beside its module) copied as they are.
    for (const file of files.filter((f) => !f.endsWith(".ts"))) {
      const target = join(tmp, relative(root, file));
      mkdirSync(dirname(target), {recursive: true});
      writeFileSync(target, file.endsWith(".mjs") ? compiledEntry(readFileSync(file, "utf8")) : readFileSync(file));
    }
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    writeFileSync(join(tmp, "package.json"), JSON.stringify({name: pkg.name, version: pkg.version, type: "module"}) + "\n");
    try {
      renameSync(tmp, out);
    } catch (error) {
      // Another process built the same stamp first: use its tree.
      if (!existsSync(join(out, "scripts/cli/main.js"))) throw error;
      rmSync(tmp, {recursive: true, force: true});
    }
  } catch (error) {
    rmSync(tmp, {recursive: true, force: true});
    throw error;
  }
  for (const entry of readdirSync(join(root, ".build"))) {
    const path = join(root, ".build", entry);
    if (entry !== stamp && Date.now() - statSync(path).mtimeMs > KEEP_OLD_MS) rmSync(path, {recursive: true, force: true});
  }
  return out;
}

/** The compiled CLI's main module for the sources as they are now, built first when there is none. */
export async function compiledMain(root = ROOT) {
  const {stamp} = sourceState(root);
  const main = join(root, ".build", stamp, "scripts/cli/main.js");
  return existsSync(main) ? main : join(await build(root), "scripts/cli/main.js");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await build();
  console.log(`benchbook: compiled ${relative(process.cwd(), out) || "."}`);
}
