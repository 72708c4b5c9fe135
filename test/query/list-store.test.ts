/**
 * `benchbook list` over the index (scripts/query/list.ts) against the runs files: each run's models in the order its
 * results first name them, on a store of the seeds, two real llama-bench builds, a real H100 llama-bench JSONL of two
 * models (one run whose results override the model) and the bundled store.
 */
import assert from "node:assert/strict";
import {cpSync, readdirSync, rmSync} from "node:fs";
import {join} from "node:path";
import {after, before, describe, it} from "node:test";
import {importInputs} from "../../scripts/import/import.js";
import {listRuns} from "../../scripts/query/list.js";
import {modelLabel, toRow} from "../../scripts/schema/row.js";
import {Store} from "../../scripts/store/store.js";
import {tempDir} from "../helpers/cli.js";
import {fixturePath, fixtureText} from "../helpers/fixtures.js";

const REPO = join(import.meta.dirname, "../..");

describe("list over the index", () => {
  const work = tempDir("benchbook-list-store-");
  const store = new Store(join(work, "store"));
  before(() => {
    cpSync(join(REPO, "data"), store.root, {recursive: true, filter: (src) => !src.includes(".index")});
    const seeds = readdirSync(fixturePath("seeds")).filter((f) => f.endsWith(".txt"));
    importInputs(
      seeds.map((f) => ({name: `seeds/${f}`, bytes: Buffer.from(fixtureText(`seeds/${f}`))})),
      {store}
    );
    for (const file of [
      "compare/llama-bench-de3ff81.json",
      "compare/llama-bench-d063b52.json",
      "captured/h100/run1/raw/direct-depth-fa.jsonl"
    ])
      importInputs([{name: file, bytes: Buffer.from(fixtureText(file))}], {store});
  });
  after(() => rmSync(work, {recursive: true, force: true}));

  it("names each run's models in the order its results first name them, as the runs files say", async () => {
    const expected = [...store.readAll()].flatMap((input) =>
      input.runs.map((run) => ({
        id: run.id,
        results: run.results.length,
        model:
          [
            ...new Set([
              modelLabel(run.model),
              ...run.results.map((result) => toRow(run, result, false).model_label as string | null)
            ])
          ]
            .filter(Boolean)
            .join(", ") || "?"
      }))
    );
    const listed = (await listRuns(store)).map((r) => ({id: r.id, results: r.results, model: r.model}));
    assert.deepEqual(listed, expected);
    assert.ok(
      expected.some((r) => r.model.includes(", ")),
      "a run whose results name several models"
    );
  });
});
