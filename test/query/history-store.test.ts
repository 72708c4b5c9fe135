/**
 * `benchbook history` reads its rows through the store's index
 * (scripts/query/history.ts): what it prints is byte for byte what the
 * in-memory read printed (every result of the store as a flat row, the
 * selectors applied by selectRows), in every output format, on a store of
 * real outputs: the bundled store, the seeds, the two real llama-bench
 * builds and twelve builds shaped like a real llama-bench record with
 * change points.
 */
import assert from "node:assert/strict";
import {cpSync, readdirSync, rmSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, it} from "node:test";
import {parseSelector, selectRows} from "../../scripts/compare/select.js";
import {formatJsonLines, formatMarkdown, formatTerminal} from "../../scripts/history/format.js";
import {flaggedChanges, history} from "../../scripts/history/history.js";
import {readHistoryRows} from "../../scripts/history/read.js";
import {importInputs} from "../../scripts/import/import.js";
import {openStoreQuery} from "../../scripts/query/connection.js";
import {queryHistoryRows} from "../../scripts/query/history.js";
import {historyRow} from "../../scripts/history/series.js";
import type {Row} from "../../scripts/schema/row.js";
import {Store} from "../../scripts/store/store.js";
import {cli, tempDir} from "../helpers/cli.js";
import {fixturePath, fixtureText} from "../helpers/fixtures.js";
import {buildOutput, type Test} from "../history/llama-bench-builds.js";

const REPO = join(import.meta.dirname, "../..");
const TESTS: Test[] = [
  {n_prompt: 64, n_gen: 0, n_depth: 0, level: (b) => (b >= 4 ? 1100 : 1000)},
  {n_prompt: 0, n_gen: 16, n_depth: 0, level: (b) => (b >= 8 ? 96 : 100)}
];

/** What the command printed when it read every runs file: the rows selectRows picks, in store order. */
function inMemory(
  store: Store,
  selectorTexts: string[],
  format: "terminal" | "markdown" | "json",
  metrics?: string[]
): string | null {
  const all = readHistoryRows(store);
  let rows: Row[] = all;
  if (selectorTexts.length) {
    const picked = new Set<Row>();
    for (const text of selectorTexts) {
      const selected = selectRows(all, parseSelector(text));
      if (selected.length === 0) return null;
      for (const r of selected) picked.add(r);
    }
    rows = all.filter((r) => picked.has(r));
  }
  const histories = history(rows, {metrics});
  const changes = flaggedChanges(histories);
  return format === "json"
    ? formatJsonLines(changes)
    : format === "markdown"
      ? formatMarkdown(changes, histories)
      : formatTerminal(changes, histories);
}

describe("history over the index prints what the in-memory read printed", () => {
  const work = tempDir("benchbook-history-store-");
  const store = new Store(join(work, "store"));
  before(() => {
    cpSync(join(REPO, "data"), store.root, {recursive: true, filter: (src) => !src.includes(".index")});
    const seeds = readdirSync(fixturePath("seeds")).filter((f) => f.endsWith(".txt"));
    importInputs(
      seeds.map((f) => ({name: `seeds/${f}`, bytes: Buffer.from(fixtureText(`seeds/${f}`))})),
      {store, tags: {writeup: "seeds"}}
    );
    for (const file of ["compare/llama-bench-de3ff81.json", "compare/llama-bench-d063b52.json"])
      importInputs([{name: file, bytes: Buffer.from(fixtureText(file))}], {store});
    importInputs(
      Array.from({length: 12}, (_, b) => ({name: `build-${b}.jsonl`, bytes: Buffer.from(buildOutput(b, TESTS))})),
      {store, tags: {nightly: "yes"}}
    );
  });
  after(() => rmSync(work, {recursive: true, force: true}));

  it("reads the rows a series can use, as the flat rows of the runs files", async () => {
    const query = await openStoreQuery(store);
    try {
      const read = await queryHistoryRows(query.connection, []);
      assert.ok("rows" in read);
      const expected = readHistoryRows(store).filter(historyRow);
      assert.equal(read.rows.length, expected.length);
      read.rows.forEach((row, i) => {
        for (const [name, value] of Object.entries(expected[i]))
          assert.deepEqual(row[name], value ?? null, `row ${i} ${name}`);
      });
    } finally {
      query.close();
    }
  });

  it("for selectors, metrics and every output format", async () => {
    const cases: {selectors: string[]; metrics?: string[]}[] = [
      {selectors: []},
      {selectors: [], metrics: ["all"]},
      {selectors: ["tag.nightly=yes"]},
      {selectors: ["tag.nightly=yes"], metrics: ["duration"]},
      {selectors: ["runtime=llama.cpp", "runtime=vllm|sglang"]},
      {selectors: ["tool=llama-bench,n_prompt=64"]},
      {selectors: ["model_label!=tiny"]},
      {selectors: [store.read(store.inputs()[0]).runs[0].id.slice(0, 12)]}
    ];
    let flagged = 0;
    for (const {selectors, metrics} of cases) {
      for (const format of ["terminal", "markdown", "json"] as const) {
        const expected = inMemory(store, selectors, format, metrics);
        const args = [
          "history",
          ...selectors,
          "--store",
          store.root,
          ...(metrics ? ["--metric", metrics.join(",")] : []),
          ...(format === "terminal" ? [] : [`--${format}`])
        ];
        const out = await cli(args);
        assert.equal(out.code, 0, out.stderr);
        assert.equal(out.stdout, expected, args.join(" "));
        if (format === "json") flagged += out.stdout.split("\n").filter(Boolean).length;
      }
    }
    assert.ok(flagged >= 4, `${flagged} changes flagged across the cases`);
  });

  it("says which selector selects nothing, as before", async () => {
    assert.equal(inMemory(store, ["build_commit=nothing"], "terminal"), null);
    const out = await cli(["history", "tag.nightly=yes", "build_commit=nothing", "--store", store.root]);
    assert.equal(out.code, 1);
    assert.equal(out.stderr, "benchbook history: build_commit=nothing selects no results\n");
  });
});
