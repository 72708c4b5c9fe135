/**
 * The store's index (scripts/query/index.ts): built from the runs files,
 * rebuilt for a runs file that changed or went away, never trusted, and its
 * flat rows are the rows of scripts/schema/row.ts, column for column.
 */
import assert from "node:assert/strict";
import {cpSync, readdirSync, rmSync, unlinkSync} from "node:fs";
import {join} from "node:path";
import {after, describe, it} from "node:test";
import {openStoreQuery} from "../../scripts/query/connection.js";
import {indexDir, syncIndex} from "../../scripts/query/index.js";
import {COLUMNS, toRow, type Row} from "../../scripts/schema/row.js";
import {serializeInput, Store} from "../../scripts/store/store.js";
import {writeFileAtomic} from "../../scripts/store/atomic.js";
import {cli, tempDir} from "../helpers/cli.js";

const REPO = join(import.meta.dirname, "../..");

describe("the store's index", () => {
  const work = tempDir("benchbook-index-");
  const store = new Store(join(work, "store"));
  cpSync(join(REPO, "data"), store.root, {recursive: true, filter: (src) => !src.includes(".index")});
  after(() => rmSync(work, {recursive: true, force: true}));
  const listed = async () =>
    JSON.parse((await cli(["list", "--json", "--store", store.root])).stdout) as {
      id: string;
      tags: Record<string, string>;
    }[];

  it("holds every result's flat row, column for column, in store order", async () => {
    const expected: Row[] = [];
    for (const input of store.readAll())
      for (const run of input.runs) for (const result of run.results) expected.push(toRow(run, result, true));
    const query = await openStoreQuery(store);
    try {
      const rows = (
        await query.connection.runAndReadAll(
          `SELECT * EXCLUDE (input_no, _group, _ord) FROM rows ORDER BY input_no, _ord`
        )
      ).getRowObjectsJS();
      assert.equal(rows.length, expected.length);
      rows.forEach((row, i) => {
        for (const {name, type} of COLUMNS) {
          const value = row[name];
          const want = expected[i][name] ?? null;
          const got = typeof value === "bigint" ? Number(value) : value;
          assert.deepEqual(got, type === "DOUBLE[]" && want === null ? null : want, `row ${i} ${name}`);
        }
      });
    } finally {
      query.close();
    }
  });

  it("is rebuilt for a runs file that changed, is missing or lost an index file, and pruned by writers", async () => {
    const first = await syncIndex(store, {prune: true});
    assert.equal((await syncIndex(store)).built, 0, "nothing changed: nothing built");
    // A runs file rewritten (a retag): the next read sees the new tags.
    const [sha] = store.inputs();
    const input = store.read(sha);
    for (const run of input.runs) run.tags = {...run.tags, retagged: "yes"};
    writeFileAtomic(store.runsPath(sha), serializeInput(input));
    const runIds = new Set(input.runs.map((r) => r.id));
    assert.ok((await listed()).filter((r) => runIds.has(r.id)).every((r) => r.tags.retagged === "yes"));
    // A lost index file is rebuilt.
    const dir = indexDir(store);
    unlinkSync((await syncIndex(store)).entries[1].files.results);
    assert.equal((await syncIndex(store)).built, 1);
    // A removed input: its runs are gone from every read, and a writer's sync deletes its files.
    unlinkSync(store.runsPath(sha));
    assert.ok((await listed()).every((r) => !runIds.has(r.id)));
    const pruned = await syncIndex(store, {prune: true});
    assert.equal(pruned.entries.length, first.entries.length - 1);
    assert.ok(pruned.pruned >= 6, `${pruned.pruned} files pruned (the old and the rewritten entry's three each)`);
    assert.ok(readdirSync(dir).every((f) => !f.startsWith(sha)));
  });

  it("benchbook reindex rebuilds every input", async () => {
    const out = await cli(["reindex", "--json", "--store", store.root]);
    assert.equal(out.code, 0, out.stderr);
    const summary = JSON.parse(out.stdout) as {inputs: number; built: number};
    assert.equal(summary.built, summary.inputs);
    assert.ok(summary.inputs > 0);
  });
});
