/**
 * `benchbook export` reads the store's aliases.yaml (docs/aliases.md): a rig
 * stated in prose and the same rig from device lines become one machine in
 * results.parquet, the stated label kept in hardware_described_as; a
 * malformed file stops the export with its name and what was expected.
 */
import assert from "node:assert/strict";
import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {exportStore} from "../../scripts/export/export.js";
import {importInputs} from "../../scripts/import/import.js";
import {Store} from "../../scripts/store/store.js";
import {tempDir} from "../helpers/cli.js";
import {duckdbRows} from "../helpers/duckdb.js";
import {fixturePath, fixtureText} from "../helpers/fixtures.js";

function seedStore(): Store {
  const store = new Store(tempDir());
  const inputs = ["seeds/000-4x3080-split.txt", "seeds/000-4x3080-prose.yaml"];
  const outcomes = importInputs(
    inputs.map((name) => ({name, path: fixturePath(name), bytes: Buffer.from(fixtureText(name))})),
    {store, now: () => new Date("2026-01-01T00:00:00Z")}
  );
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ["imported", "imported"]
  );
  return store;
}

const machines = async (out: string) =>
  (
    await duckdbRows(
      `SELECT DISTINCT hardware, hardware_described_as FROM '${join(out, "results.parquet")}' ORDER BY ALL`
    )
  ).map((r) => [r.hardware, r.hardware_described_as]);

describe("export: machine aliases", () => {
  it("without aliases.yaml the prose and the device lines are two machines; with it, one", async () => {
    const store = seedStore();
    const before = tempDir();
    await exportStore(store, before, {jobs: 1});
    assert.deepEqual(await machines(before), [
      ["4× NVIDIA GeForce RTX 3080", null],
      ["4×RTX 3080 20GB", null]
    ]);
    writeFileSync(
      join(store.root, "aliases.yaml"),
      `machines:\n  "4× NVIDIA GeForce RTX 3080":\n    - "4×RTX 3080 20GB"\n`
    );
    const after = tempDir();
    await exportStore(store, after, {jobs: 2});
    assert.deepEqual(await machines(after), [
      ["4× NVIDIA GeForce RTX 3080", "4×RTX 3080 20GB"],
      ["4× NVIDIA GeForce RTX 3080", null]
    ]);
  });

  it("a malformed aliases.yaml stops the export, naming the file and what was expected", async () => {
    const store = seedStore();
    writeFileSync(join(store.root, "aliases.yaml"), "machines:\n  a: b\n");
    await assert.rejects(
      exportStore(store, tempDir(), {jobs: 1}),
      /aliases\.yaml: at machines\.a: expected machines: \{<machine label>: \[<other label>, …\]\}/
    );
  });
});
