import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {InputError} from "../../../scripts/document/read.js";
import {fixtureText, read, readFixture, rowsOf} from "../../helpers/fixtures.js";

describe("llama-benchy csv: printed by llama-benchy's own writer (sample-csv.txt)", () => {
  const text = fixtureText("llama-benchy/sample-csv.txt");
  const rows = rowsOf(readFixture("llama-benchy/sample-csv.txt"));

  it("reads every mean/std pair as printed, on its line, empty fields skipped", () => {
    const lines = text.split(/\r?\n/);
    const header = lines.findIndex((l) => l.startsWith("model,test_name"));
    const names = lines[header].split(",");
    const printed = lines
      .slice(header + 1)
      .filter((l) => l.trim())
      .flatMap((l, i) => {
        const f = l.split(",");
        return names.flatMap((n, k) =>
          n.endsWith("_mean") && f[k] !== ""
            ? [{value: Number(f[k]), stddev: Number(f[k + 1]), line: header + 2 + i}]
            : []
        );
      });
    assert.deepEqual(
      rows.map((r) => ({value: r.value, stddev: r.stddev, line: r.line})),
      printed
    );
    assert.equal(rows.length, 18);
  });

  it("maps stems to metrics", () => {
    const tg = rows.filter((r) => r.test === "tg32 (c2)");
    assert.deepEqual(
      tg.map((r) => [r.metric, r.stat, r.text]),
      [
        ["throughput", "mean", "98.70484912562281,0.4050005148179068"],
        ["throughput_per_request", "mean", "49.922734796997744,0.024347808972909533"],
        ["throughput", "peak", "101.88887651677194,0.41806504755396645"],
        ["throughput_per_request", "peak", "51.568084698708,0.020430397101088422"]
      ]
    );
  });

  it("names the line of a row with a missing field", () => {
    const bad = "model,test_name,t_s_mean,t_s_std\nm,tg32,1.5\n";
    assert.throws(
      () => read(bad, "b.csv"),
      (e: unknown) => e instanceof InputError && e.line === 2 && /4 fields/.test(e.message)
    );
  });
});
