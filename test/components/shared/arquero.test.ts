import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {
  countValues,
  firstRows,
  groupRows,
  occurrences,
  referencesWithin
} from "../../../src/components/shared/arquero.js";

const rows = [
  {run: "b", test: "pp512", mode: "layer", v: 1},
  {run: "a", test: "tg128", mode: "layer", v: 2},
  {run: "b", test: "tg128", mode: "row", v: 3},
  {run: "b", test: "pp512", mode: "row", v: 4},
  {run: "c", test: "pp512", mode: "row", v: 5}
];

describe("arquero helpers", () => {
  it("groupRows: groups in order of first appearance, rows in theirs, the rows themselves", () => {
    const groups = groupRows(rows, (r) => r.run);
    assert.deepEqual(
      groups.map((g) => g.map((r) => r.v)),
      [[1, 3, 4], [2], [5]]
    );
    assert.equal(groups[0][0], rows[0]);
    assert.deepEqual(
      groupRows([], (r) => r),
      []
    );
  });

  it("countValues and occurrences: counts, and which occurrence each label is of how many", () => {
    assert.deepEqual(
      [...countValues(rows.map((r) => r.test))],
      [
        ["pp512", 3],
        ["tg128", 2]
      ]
    );
    assert.deepEqual(occurrences(["x", "y", "x", "x"]), [
      {nth: 1, of: 3},
      {nth: 1, of: 1},
      {nth: 2, of: 3},
      {nth: 3, of: 3}
    ]);
  });

  it("referencesWithin: each row's first reference of the same key in its own group, never another group's", () => {
    const groups = groupRows(rows, (r) => r.run);
    const refs = referencesWithin(
      groups,
      (r) => r.test,
      (r) => r.mode === "layer"
    );
    assert.deepEqual(
      refs.map((g) => g.map((r) => r?.v ?? null)),
      // run b: pp512's layer row is 1, tg128 has none; run a: itself; run c: its pp512 has no layer row in c.
      [[1, null, 1], [2], [null]]
    );
  });

  it("firstRows: one row per key, the first, in order", () => {
    assert.deepEqual(
      firstRows(rows, (r) => r.run).map((r) => r.v),
      [1, 2, 5]
    );
  });
});
