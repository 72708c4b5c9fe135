/**
 * results.csv opened in a spreadsheet runs nothing: text cells starting with
 * = + - @ are prefixed with ', numbers (and text that is a plain number) stay
 * as they are. Real DuckDB export of a real llama-bench JSONL output whose
 * strings were replaced with formulas.
 */
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {csvParse} from "d3-dsv";
import {exportStore} from "../../scripts/export/export.js";
import {importInputs} from "../../scripts/import/import.js";
import {Store} from "../../scripts/store/store.js";
import {tempDir} from "../helpers/cli.js";
import {fixtureText} from "../helpers/fixtures.js";

describe("results.csv against formula injection", () => {
  it("prefixes formula-like text with ', and leaves numbers and plain text alone", async () => {
    const jsonl = fixtureText("captured/cpu/llama-bench-jsonl.stdout")
      .replace(/"model_filename": "tiny\.gguf"/g, `"model_filename": "=HYPERLINK(\\"http://example.com\\",\\"x\\")"`)
      .replace(/"cpu_info": "AMD EPYC"/g, `"cpu_info": "@SUM(1+1)"`)
      .replace(/"build_commit": "de3ff81"/g, `"build_commit": "+cmd|' /C calc'!A0"`);
    const store = new Store(tempDir());
    const [outcome] = importInputs([{name: "=evil.jsonl", bytes: Buffer.from(jsonl)}], {
      store,
      now: () => new Date("2026-01-01T00:00:00Z")
    });
    assert.equal(outcome.status, "imported", outcome.status === "failed" ? outcome.error.message : "");
    const out = tempDir();
    await exportStore(store, out);
    const rows = csvParse(readFileSync(join(out, "results.csv"), "utf8"));
    assert.ok(rows.length > 0);
    for (const row of rows) {
      for (const [column, cell] of Object.entries(row)) {
        if (/^[=+@\t\r]/.test(cell ?? "")) assert.fail(`${column} starts a formula: ${cell}`);
        if (/^-/.test(cell ?? "") && !/^-[0-9.]+(e[+-]?[0-9]+)?$/i.test(cell!))
          assert.fail(`${column} starts a formula: ${cell}`);
      }
    }
    const first = rows[0];
    assert.equal(first.build_commit, "'+cmd|' /C calc'!A0");
    assert.equal(first.model_file, `'=HYPERLINK("http://example.com","x")`);
    assert.equal(first.cpu, "'@SUM(1+1)");
    assert.equal(first.file, "'=evil.jsonl");
    assert.equal(Number(rows.find((r) => r.test === "pp64")?.value), 103292.158869, "numbers stay numbers");
  });
});
