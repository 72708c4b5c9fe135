/**
 * The export gives a hand-entered file's writeup its own raw copy (so the
 * site's raw-input page can show it) and lists it in the manifest; each
 * value's result_extra carries the writeup's sha256 and line.
 */
import assert from "node:assert/strict";
import {createHash} from "node:crypto";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {exportStore} from "../../scripts/export/export.js";
import {importInputs} from "../../scripts/import/import.js";
import {Store} from "../../scripts/store/store.js";
import {writeupLine} from "../../src/components/shared/format.js";
import {tempDir} from "../helpers/cli.js";
import {duckdbRows} from "../helpers/duckdb.js";
import {fixturePath} from "../helpers/fixtures.js";

describe("export: writeups of hand-entered files", () => {
  const store = new Store(tempDir());
  const path = fixturePath("hand/writeup/post.observations.yaml");
  importInputs([{name: "post.observations.yaml", bytes: readFileSync(path), path}], {
    store,
    now: () => new Date("2026-01-01T00:00:00Z")
  });
  const post = readFileSync(fixturePath("hand/writeup/post.md"));
  const sha = createHash("sha256").update(post).digest("hex");

  it("copies the writeup beside the raw inputs and names it in the manifest, across re-exports", async () => {
    const out = tempDir();
    await exportStore(store, out);
    await exportStore(store, out); // a second export must not prune it
    assert.ok(readFileSync(join(out, "raw", `${sha}.txt`)).equals(post));
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    assert.deepEqual(manifest.writeups, [sha]);
    assert.deepEqual(manifest.inputs, store.inputs(), "the writeup is not an input of its own");
    const sources = JSON.parse(readFileSync(join(out, "sources.json"), "utf8"));
    assert.deepEqual(
      sources[0].attachments.map((a: {role: string; sha256: string}) => [a.role, a.sha256]),
      [["writeup", sha]]
    );

    const rows = (await duckdbRows(
      `SELECT line, value, text, result_extra FROM '${join(out, "results.parquet")}' ORDER BY line`
    )) as {line: number; value: number | null; text: string | null; result_extra: string}[];
    const lines = post.toString("utf8").split("\n");
    assert.equal(rows.length, 8);
    for (const row of rows) {
      // What a page links to: the writeup's line, which holds the value's text as printed.
      const target = writeupLine(JSON.parse(row.result_extra))!;
      assert.equal(target.sha256, sha);
      if (row.text) assert.ok(lines[target.line - 1].includes(row.text), `${row.text} on writeup line ${target.line}`);
    }
  });

  it("reads the first cited line of a range, and nothing from values without a checked writeup", () => {
    assert.deepEqual(writeupLine({writeup_sha256: sha, source_line: "18, 46-128"}), {sha256: sha, line: 18});
    assert.equal(writeupLine({source_line: 18}), null);
    assert.equal(writeupLine({writeup_sha256: "not-a-sha", source_line: 18}), null);
    assert.equal(writeupLine(null), null);
  });
});
