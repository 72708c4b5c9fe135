// benchbook's TypeScript compiled once with esbuild into .build/<stamp>/ (same layout), so the CLI starts
// without tsx (2–5 s for --help). The stamp hashes every source's path, size and mtime: an edited checkout
// gets a fresh build. Plain JavaScript because bin/benchbook.js loads it before anything is compiled.
import {createHash} from "node:crypto";
import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from "node:fs";
import {dirname, join, relative} from "node:path";
import {createRequire} from "node:module";
import {fileURLToPath} from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const SOURCES = ["scripts"];
/** Builds older than this that are no longer current are removed (a process started on one may still load modules from it). */
const KEEP_OLD_MS = 60 * 60 * 1000;

/** Every file under dir but type declarations (one recursive readdir: every start lists the tree). */
function sourceFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir, {withFileTypes: true, recursive: true}))
    if (!entry.isDirectory() && !/\.d\.m?ts$/.test(entry.name))
      files.push(`${entry.parentPath ?? entry.path}/${entry.name}`);
  return files;
}

/** The sources and a stamp naming their current state (paths hashed relative to root, cut by string: path.relative per file cost more than the stats). */
export function sourceState(root = ROOT) {
  const files = SOURCES.flatMap((dir) => sourceFiles(join(root, dir))).sort();
  const hash = createHash("sha1");
  for (const file of [...files, join(root, "package.json")]) {
    const stat = statSync(file);
    hash.update(`${file.slice(root.length + 1)}\0${stat.size}\0${stat.mtimeMs}\n`);
  }
  return {files, stamp: hash.digest("hex").slice(0, 16)};
}

/** A worker entry registers tsx and imports its TypeScript sibling; compiled, it imports the JavaScript one. */
function compiledEntry(text) {
  const imports = [...text.matchAll(/^await import\("(\.\/[\w-]+)\.ts"\);$/gm)].map(
    (m) => `await import("${m[1]}.js");\n`
  );
  if (!imports.length) return text;
  return `// Compiled by scripts/cli/compiled.mjs: the worker's compiled module, without tsx.\n${imports.join("")}`;
}

/**
 * CommonJS packages the reads load, each bundled into one ES module in the
 * tree's own node_modules/, which the compiled modules' bare imports find
 * before the checkout's. Imported from ESM, a CommonJS file is scanned for
 * its exports by Node on every start: @duckdb/node-api (120 files) cost
 * about 0.3 CPU s of every query command's start, bundled about 0.08; jstat
 * (compare's t distribution) 0.08 against 0.015. `named` packages are
 * imported by name and export them; the others only as their default.
 * @duckdb/node-api's native binding (@duckdb/node-bindings) stays in the
 * checkout's node_modules, where the bundle's require() finds it.
 */
const VENDORED = [
  {name: "@duckdb/node-api", named: true, external: ["@duckdb/node-bindings"]},
  {name: "jstat", named: false, external: []}
];

async function vendor(esbuild, root, tree) {
  const require = createRequire(join(root, "package.json"));
  for (const {name, named, external} of VENDORED) {
    let names;
    try {
      names = named
        ? Object.keys(require(name)).filter((key) => key !== "default" && /^[A-Za-z_$][\w$]*$/.test(key))
        : [];
    } catch {
      continue; // not installed or its native part does not load here: the checkout's copy is imported as before
    }
    const dir = join(tree, "node_modules", name);
    mkdirSync(dir, {recursive: true});
    await esbuild.build({
      stdin: {
        contents: `import m from ${JSON.stringify(name)};\nexport default m;\n${names.length ? `export const {${names.join(", ")}} = m;\n` : ""}`,
        resolveDir: root
      },
      bundle: true,
      outfile: join(dir, "index.mjs"),
      format: "esm",
      platform: "node",
      target: "node20",
      external,
      // The bundled CommonJS calls require() for its external parts.
      banner: {
        js: 'import {createRequire as __bbRequire} from "node:module"; const require = __bbRequire(import.meta.url);'
      },
      logLevel: "silent"
    });
    writeFileSync(join(dir, "package.json"), JSON.stringify({name, type: "module", main: "index.mjs"}) + "\n");
  }
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
    writeFileSync(
      join(tmp, "package.json"),
      JSON.stringify({name: pkg.name, version: pkg.version, type: "module"}) + "\n"
    );
    await vendor(esbuild, root, tmp);
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
    if (entry !== stamp && Date.now() - statSync(path).mtimeMs > KEEP_OLD_MS)
      rmSync(path, {recursive: true, force: true});
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
