import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {csvParseRows} from "d3-dsv";
import {InputError} from "../../../scripts/document/read.js";
import {fixtureText, read, readFixture} from "../../helpers/fixtures.js";

describe("hand-entered CSV: the seed 002 sweep", () => {
  const name = "hand/observations.csv";
  const text = fixtureText(name);
  const reading = readFixture(name);
  const runs = reading.stored.runs;

  it("reads one run per run label, rows without a label in the top-level run", () => {
    assert.deepEqual(
      runs.map((r) => [r.extra.label ?? null, r.results.length, r.format, r.origin]),
      [
        [null, 7, "hand-observations-csv", "hand-entered"],
        ["ub128", 2, "hand-observations-csv", "hand-entered"]
      ]
    );
    assert.equal(runs[1].settings.n_ubatch, 128);
    assert.deepEqual(runs[1].notes, ["pipeline parallelism on"]);
    assert.equal(runs[0].hardware.stated, "2× RTX 3060 12GB");
    assert.equal(runs[0].model.quant, "Q4_K_M");
  });

  it("keeps every value of every row on its row's line (oracle: the CSV parsed independently)", () => {
    const lines = text.split("\n");
    const columns = csvParseRows(lines[9])[0];
    const rows = lines
      .slice(10)
      .filter(Boolean)
      .map((l, i) => ({line: 11 + i, cell: Object.fromEntries(csvParseRows(l)[0].map((c, j) => [columns[j], c]))}));
    const all = runs.flatMap((r) => r.results);
    for (const row of rows) {
      const mine = all.filter((r) => r.line === row.line);
      if (row.cell.low)
        assert.deepEqual(
          mine.map((r) => r.value),
          [Number(row.cell.low), Number(row.cell.high)]
        );
      else if (row.cell.status)
        assert.deepEqual(
          mine.map((r) => [r.value, r.status, r.status_detail]),
          [[null, row.cell.status, row.cell.detail]]
        );
      else
        assert.deepEqual(
          mine.map((r) => r.value),
          [Number(row.cell.value)]
        );
      for (const r of mine) {
        assert.equal(r.metric, row.cell.metric);
        assert.equal(r.extra?.source_line, Number(row.cell.line));
        if (row.cell.text) assert.equal(r.text, row.cell.text);
      }
    }
  });

  it("reads settings columns, the gpu column and the approximate column", () => {
    const [top] = runs;
    const ub384 = top.results.find((r) => r.value === 1275)!;
    assert.deepEqual([ub384.settings?.n_ubatch, ub384.settings?.n_batch, ub384.text], [384, 768, "1,275"]);
    const vram = top.results.find((r) => r.metric === "vram_free")!;
    assert.equal(vram.extra?.gpu, 0);
    assert.equal(top.results.find((r) => r.metric === "ram_used")!.extra?.approximate, true);
    assert.deepEqual(
      top.results.filter((r) => r.stat.startsWith("range")).map((r) => r.stat),
      ["range_low", "range_high"]
    );
  });
});

describe("hand-entered CSV: refused with the line", () => {
  const base = fixtureText("hand/observations.csv");

  it("an unknown column, on the column line", () => {
    assert.throws(
      () => read(base.replace("metric,unit,", "metric,units,")),
      (e: unknown) => e instanceof InputError && e.line === 10 && /found "units"/.test(e.message)
    );
  });

  it("a value that is not a number, on its row", () => {
    assert.throws(
      () => read(base.replace("throughput,tok/s,value,1157,", "throughput,tok/s,value,1x57,")),
      (e: unknown) => e instanceof InputError && e.line === 13 && /value: a number/.test(e.message)
    );
  });

  it("a row with more cells than columns", () => {
    assert.throws(
      () => read(base.replace("ram_used,GB,value,23,", "ram_used,GB,value,23,,,,,")),
      (e: unknown) => e instanceof InputError && e.line === 18 && /at most 17 cells/.test(e.message)
    );
  });

  it("a run described in the header that no row uses", () => {
    assert.throws(
      () => read(base.replace("#   - label: ub128", "#   - label: ub64")),
      (e: unknown) => e instanceof InputError && e.line === 7 && /run label/.test(e.message)
    );
  });
});
