/**
 * The export's history.json (real DuckDB over the results.parquet it
 * writes): the same change points `benchbook history` finds, only series
 * with two builds or more, and no llama-bench duration series.
 */
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {exportStore} from "../../scripts/export/export.js";
import {flaggedChanges, history} from "../../scripts/history/history.js";
import type {HistoryData} from "../../scripts/history/page-data.js";
import {readHistoryRows} from "../../scripts/history/read.js";
import {importInputs} from "../../scripts/import/import.js";
import {Store} from "../../scripts/store/store.js";
import {tempDir} from "../helpers/cli.js";
import {fixtureText} from "../helpers/fixtures.js";
import {buildOutput, commitOf, type Test} from "../history/llama-bench-builds.js";

const TESTS: Test[] = [
  {n_prompt: 64, n_gen: 0, n_depth: 0, level: (b) => (b >= 4 ? 1100 : 1000)},
  {n_prompt: 0, n_gen: 16, n_depth: 0, level: (b) => (b >= 8 ? 96 : 100)}
];

describe("history.json", () => {
  it("holds the series over builds and their change points, as benchbook history finds them", async () => {
    const store = new Store(tempDir("benchbook-history-export-"));
    const inputs = Array.from({length: 12}, (_, b) => ({
      name: `build-${b}.jsonl`,
      bytes: Buffer.from(buildOutput(b, TESTS))
    }));
    // A run of another model with a single build: no history.
    inputs.push({
      name: "single.json",
      bytes: Buffer.from(fixtureText("compare/llama-bench-de3ff81.json").replaceAll("tiny.gguf", "other.gguf"))
    });
    for (const outcome of importInputs(inputs, {store})) assert.notEqual(outcome.status, "failed");
    const out = tempDir("benchbook-history-out-");
    await exportStore(store, out);
    const data = JSON.parse(readFileSync(join(out, "history.json"), "utf8")) as HistoryData;

    assert.deepEqual(
      data.series.map((s) => [s.key.test, s.key.metric, s.points.length]),
      [
        ["pp64", "throughput", 12],
        ["tg16", "throughput", 12]
      ]
    );
    const changes = data.series.flatMap((s) =>
      s.changes.map((c) => [s.key.test, c.direction, s.points[c.index].build_commit, s.points[c.index].build_number])
    );
    assert.deepEqual(changes, [
      ["pp64", "improvement", commitOf(4), 1004],
      ["tg16", "regression", commitOf(8), 1008]
    ]);
    const cli = flaggedChanges(history(readHistoryRows(store)));
    assert.deepEqual(
      data.series.flatMap((s) => s.changes.map((c) => c.ratio)),
      cli.map((c) => c.ratio),
      "the same ratios as the command line"
    );
    assert.equal(data.latest.length, 2);
    assert.ok(
      data.latest.every(
        (l) =>
          l.newest === commitOf(11) &&
          l.previous === commitOf(10) &&
          l.flagged === null &&
          l.comparison?.method === "welch"
      )
    );
    const point = data.series[1].points[0];
    assert.equal(point.n, 5);
    assert.deepEqual(point.run_ids.length, 1);
    assert.ok(point.source && point.source.line === 2, "the tg16 record is the second line of its file");
  });
});
