/**
 * The export reads large stores in shards on worker threads (export.ts):
 * what it writes must not depend on how many shards read the store, and a
 * shard that fails must fail the export with its message.
 */
import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {cpSync, readdirSync, readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {exportStore, splitBySize} from "../../scripts/export/export.js";
import {Store} from "../../scripts/store/store.js";
import {cli, tempDir} from "../helpers/cli.js";
import {explorerDbAndParquet} from "../helpers/duckdb.js";
import {REPO} from "../helpers/site.js";

/** Every file under `dir`, by path relative to it. */
function files(dir: string): Map<string, Buffer> {
  const found = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, {recursive: true, withFileTypes: true})) {
    if (entry.isFile())
      found.set(
        join(entry.parentPath, entry.name).slice(dir.length + 1),
        readFileSync(join(entry.parentPath, entry.name))
      );
  }
  return found;
}

describe("export in shards", () => {
  const store = new Store(join(REPO, "data"));

  it("writes the same files, byte for byte, from one shard and from three (two on worker threads)", async () => {
    const one = tempDir();
    const three = tempDir();
    const a = await exportStore(store, one, {jobs: 1});
    const b = await exportStore(store, three, {jobs: 3});
    assert.equal(a.shards, 1);
    assert.equal(b.shards, 3);
    assert.ok(a.rows > 0 && a.rows === b.rows);
    const expected = files(one);
    const actual = files(three);
    assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
    // results.duckdb keeps whatever bytes DuckDB left unused in its blocks (explorer-db.ts): its rows are compared instead.
    for (const [path, bytes] of expected)
      if (path !== "results.duckdb") assert.ok(bytes.equals(actual.get(path)!), path);
    const {database, parquet} = await explorerDbAndParquet(join(three, "results.duckdb"), join(one, "results.parquet"));
    assert.deepEqual(database, parquet);
  });

  it("fails with the shard's message, naming the runs file, and leaves the previous export in place", async () => {
    const root = tempDir();
    cpSync(store.root, root, {recursive: true});
    const broken = new Store(root);
    const out = tempDir();
    await exportStore(broken, out, {jobs: 2});
    const before = readFileSync(join(out, "results.parquet"));
    const last = broken.inputs().at(-1)!;
    writeFileSync(broken.runsPath(last), JSON.stringify({schema: 999, source: {}, runs: []}));
    await assert.rejects(
      exportStore(broken, out, {jobs: 2}),
      (error: Error) => error.message.includes(broken.runsPath(last)) && /schema 999/.test(error.message)
    );
    assert.ok(readFileSync(join(out, "results.parquet")).equals(before));
    assert.deepEqual(
      readdirSync(out).filter((f) => f.startsWith(".")),
      [],
      "no temporary files left"
    );
  });

  it("benchbook export --jobs 2 from the command line (workers register tsx themselves under bin/benchbook.js)", async () => {
    const here = tempDir();
    const there = tempDir();
    await exportStore(store, here, {jobs: 1});
    // The real executable: no --import tsx flag for the workers to inherit.
    const run = spawnSync(
      process.execPath,
      [join(REPO, "bin/benchbook.js"), "export", "--jobs", "2", "--store", store.root, "--out", there, "--json"],
      {encoding: "utf8", env: {...process.env, NODE_OPTIONS: ""}}
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).shards, 2);
    for (const file of ["results.parquet", "results.csv", "manifest.json"])
      assert.ok(readFileSync(join(here, file)).equals(readFileSync(join(there, file))), file);
  });

  it("refuses a --jobs that is not a whole number of threads", async () => {
    const {code, stderr} = await cli(["export", "--jobs", "1.5", "--out", tempDir()], {cwd: tempDir()});
    assert.equal(code, 2);
    assert.match(stderr, /--jobs takes a whole number/);
  });

  it("splits inputs into contiguous slices of about their weight's share of the bytes", () => {
    assert.deepEqual(splitBySize(["a", "b", "c", "d"], [1, 1, 1, 1], [1, 1]), [
      ["a", "b"],
      ["c", "d"]
    ]);
    assert.deepEqual(splitBySize(["a", "b", "c", "d"], [10, 1, 1, 1], [1, 1]), [["a"], ["b", "c", "d"]]);
    assert.deepEqual(splitBySize(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"], Array(10).fill(1), [1.5, 1]), [
      ["a", "b", "c", "d", "e", "f"],
      ["g", "h", "i", "j"]
    ]);
    assert.deepEqual(splitBySize(["a", "b"], [1, 1], [1, 1, 1, 1]), [["a"], ["b"]]);
    assert.deepEqual(splitBySize([], [], [1, 1, 1]), [[]]);
    // Every item, in order, whatever the sizes.
    const items = Array.from({length: 50}, (_, i) => i);
    const sizes = items.map((i) => (i * 7919) % 97);
    for (const n of [1, 2, 3, 4, 7]) {
      const slices = splitBySize(items, sizes, [1.1, ...Array(n - 1).fill(1)]);
      assert.ok(slices.length <= n && slices.every((s) => s.length > 0));
      assert.deepEqual(slices.flat(), items);
    }
  });
});
