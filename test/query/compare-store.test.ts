/**
 * compare through DuckDB over the index (scripts/query/compare.ts) against
 * compareRows, the in-memory definition (scripts/compare/compare.ts), on
 * every result of a store of real outputs: the seeds, the two llama-bench
 * builds and the bundled store. Every selector pair below must give the
 * same result, value for value (means and sds to the last bit).
 */
import assert from "node:assert/strict";
import {cpSync, readdirSync, rmSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, it} from "node:test";
import type {DuckDBConnection} from "@duckdb/node-api";
import {compareRows, type SideValue} from "../../scripts/compare/compare.js";
import {keyValue, parseSelector, selectRows} from "../../scripts/compare/select.js";
import {importInputs} from "../../scripts/import/import.js";
import {compareStore} from "../../scripts/query/compare.js";
import {openStoreQuery, type StoreQuery} from "../../scripts/query/connection.js";
import {toRow, type Row} from "../../scripts/schema/row.js";
import {Store} from "../../scripts/store/store.js";
import {tempDir} from "../helpers/cli.js";
import {fixturePath, fixtureText} from "../helpers/fixtures.js";

const REPO = join(import.meta.dirname, "../..");

describe("compare over the index gives compareRows's result", () => {
  const work = tempDir("benchbook-compare-store-");
  const store = new Store(join(work, "store"));
  let rows: Row[] = [];
  let query: StoreQuery;
  let beside: DuckDBConnection;
  before(async () => {
    cpSync(join(REPO, "data"), store.root, {recursive: true, filter: (src) => !src.includes(".index")});
    const seeds = readdirSync(fixturePath("seeds")).filter((f) => f.endsWith(".txt"));
    importInputs(
      seeds.map((f) => ({name: `seeds/${f}`, bytes: Buffer.from(fixtureText(`seeds/${f}`))})),
      {store, tags: {writeup: "seeds"}}
    );
    for (const [file, tags] of [
      ["compare/llama-bench-de3ff81.json", {build: "one"}],
      ["compare/llama-bench-d063b52.json", {build: "two"}]
    ] as const) {
      importInputs([{name: file, bytes: Buffer.from(fixtureText(file))}], {store, tags});
    }
    for (const input of store.readAll())
      for (const run of input.runs) for (const result of run.results) rows.push(toRow(run, result, false));
    query = await openStoreQuery(store);
    beside = await query.connect();
  });
  after(() => {
    query?.close();
    rmSync(work, {recursive: true, force: true});
  });

  async function same(a: string, b: string, options: {by?: string[]; metrics?: string[]} = {}) {
    const selectors = [parseSelector(a), parseSelector(b)] as const;
    const [ra, rb] = selectors.map((s) => selectRows(rows, s));
    // With a second connection (the CLI's way: the means read beside the sides when --by is given) and without.
    const ours = await compareStore(query.connection, [selectors[0], selectors[1]], {a, b}, options, beside);
    if (ra.length === 0 || rb.length === 0) {
      assert.deepEqual(ours, {empty: ra.length === 0 ? "A" : "B"}, `${a} vs ${b}`);
      return 0;
    }
    assert.ok("result" in ours, `${a} vs ${b}`);
    const expected = compareRows(ra, rb, {a, b}, options);
    assert.deepStrictEqual(ours.result, expected, `${a} vs ${b} ${JSON.stringify(options)}`);
    // What the tables print (no provenance): the same, without each value's runs and source lines.
    const lean = await compareStore(
      query.connection,
      [selectors[0], selectors[1]],
      {a, b},
      {...options, provenance: false}
    );
    const bare = (v: SideValue | null) => v && {...v, run_ids: [], sources: []};
    assert.ok("result" in lean);
    assert.deepStrictEqual(
      lean.result,
      {...expected, pairs: expected.pairs.map((p) => ({...p, a: bare(p.a), b: bare(p.b)}))},
      `${a} vs ${b} without provenance`
    );
    return ours.result.pairs.filter((p) => p.a && p.b).length;
  }

  it("for pairs of values of every label column, settings and tags", async () => {
    let paired = 0;
    let compared = 0;
    for (const key of [
      "build_commit",
      "runtime",
      "tool",
      "hardware",
      "split_mode",
      "model_label",
      "quant",
      "type_k",
      "n_ubatch",
      "flash_attn",
      "backend",
      "setting.n_ubatch",
      "tag.build",
      "tag.writeup",
      "concurrency",
      "n_depth"
    ]) {
      const values = [...new Set(rows.map((r) => keyValue(r, key) ?? ""))].slice(0, 4);
      for (let i = 0; i < values.length; i++) {
        for (let j = i + 1; j < values.length; j++) {
          paired += await same(`${key}=${values[i]}`, `${key}=${values[j]}`);
          compared++;
        }
      }
    }
    assert.ok(compared > 40, `${compared} comparisons`);
    assert.ok(paired >= 20, `${paired} pairs`);
  });

  it("for run ids, prefixes, negations, alternatives, --by and --metric", async () => {
    const runIds = [...new Set(rows.map((r) => String(r.run_id)))];
    assert.ok((await same(runIds[0], runIds[1])) >= 0);
    assert.ok((await same(runIds[0].slice(0, 12), runIds.at(-1)!.slice(0, 12))) >= 0);
    assert.ok((await same("build_commit=de3ff81", "build_commit=d063b52")) === 4);
    await same("build_commit=de3ff81", "build_commit=d063b52", {metrics: ["all"]});
    await same("build_commit=de3ff81", "build_commit=d063b52", {metrics: ["duration"]});
    await same("tag.writeup=seeds", "runtime!=llama.cpp", {by: ["test", "metric", "stat", "unit"]});
    await same("runtime=vllm|sglang", "runtime=llama.cpp", {by: ["model_label", "test", "metric"]});
    await same("tool=llama-bench", "tool=llama-bench", {by: ["file", "test"]});
    await same("runtime=sglang", "runtime=vllm", {
      by: ["test", "metric", "stat", "unit", "setting.max_num_seqs", "nonexistent"]
    });
    await same("model_label=", "runtime=vllm");
    await same("build_commit=nothing", "runtime=vllm");
    await same("runtime=vllm", "build_commit=nothing");
  });
});
