/**
 * The compiled CLI (scripts/cli/compiled.mjs): bin/benchbook.js runs the
 * JavaScript build of the sources as they are, rebuilt after an edit, and
 * the worker entries in it load compiled workers, not tsx.
 */
import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {cpSync, readFileSync, rmSync, symlinkSync, utimesSync} from "node:fs";
import {join} from "node:path";
import {after, describe, it} from "node:test";
import {build, sourceState} from "../../scripts/cli/compiled.mjs";
import {tempDir} from "../helpers/cli.js";

const REPO = join(import.meta.dirname, "../..");
const bin = (...args: string[]) =>
  spawnSync(process.execPath, [join(REPO, "bin/benchbook.js"), ...args], {
    encoding: "utf8",
    env: {...process.env, NODE_OPTIONS: "", BENCHBOOK_DEBUG: "1", BENCHBOOK_STORE: ""}
  });

describe("compiled CLI", () => {
  const work = tempDir("benchbook-compiled-");
  after(() => rmSync(work, {recursive: true, force: true}));

  it("bin/benchbook.js answers --version (package.json's) and --help from the compiled build, not tsx", () => {
    const version = bin("--version");
    assert.equal(version.status, 0, version.stderr);
    assert.equal(
      version.stdout,
      `benchbook ${(JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {version: string}).version}\n`
    );
    assert.equal(version.stderr, "", "BENCHBOOK_DEBUG reports a fall back to tsx");
    const help = bin("--help");
    assert.match(help.stdout, /Commands:\n {2}import/);
    const list = bin("list", "--json", "--store", join(REPO, "data"));
    assert.equal(list.status, 0, list.stderr);
    assert.ok((JSON.parse(list.stdout) as unknown[]).length > 0);
  });

  it("a changed source file changes the stamp, and the build is redone for it", async () => {
    cpSync(join(REPO, "scripts"), join(work, "scripts"), {recursive: true});
    cpSync(join(REPO, "package.json"), join(work, "package.json"));
    symlinkSync(join(REPO, "node_modules"), join(work, "node_modules"));
    const before = sourceState(work).stamp;
    const out = await build(work);
    assert.ok(out.endsWith(before));
    // A worker entry imports its compiled sibling instead of registering tsx.
    const entry = readFileSync(join(out, "scripts/import/worker-entry.mjs"), "utf8");
    assert.doesNotMatch(entry, /tsx\/esm|register\(\)/);
    assert.match(entry, /import\("\.\/worker\.js"\)/);
    // @duckdb/node-api as one ES module in the tree's node_modules, which the compiled modules import.
    const duckdb = (await import(
      join(out, "node_modules/@duckdb/node-api/index.mjs")
    )) as typeof import("@duckdb/node-api");
    const instance = await duckdb.DuckDBInstance.create(":memory:");
    assert.equal((await (await instance.connect()).runAndReadAll("SELECT 40 + 2 AS n")).getRowObjectsJS()[0].n, 42);
    instance.closeSync();
    utimesSync(join(work, "scripts/cli/io.ts"), new Date(), new Date(Date.now() + 5000));
    const after = sourceState(work).stamp;
    assert.notEqual(after, before);
    assert.ok((await build(work)).endsWith(after));
  });
});
