import assert from "node:assert/strict";
import {readdirSync} from "node:fs";
import {describe, it} from "node:test";
import {checkCorpusEntry, corpusManifest, REAL, type CorpusCheck} from "../helpers/real-corpus.js";

describe("the real-world corpus (test/fixtures/real): every file imports with zero wrong values", () => {
  const manifest = corpusManifest();
  const checks: CorpusCheck[] = [];

  it("lists every file of the folder once, each with a source and hand-read values", () => {
    const files = readdirSync(REAL)
      .filter((f) => f !== "manifest.json" && f !== "README.md")
      .sort();
    assert.deepEqual(manifest.map((e) => e.file).sort(), files);
    for (const entry of manifest) {
      // A URL, or the search tool's code-index id where the index names no repository.
      assert.match(entry.source, /^(?:https:\/\/|code-index:\d+$)/, entry.file);
      assert.ok(entry.values.length > 0, `${entry.file}: no expected values`);
    }
  });

  for (const entry of manifest) {
    it(`${entry.file} (${entry.tool}, ${entry.year}): ${entry.shape}`, () => {
      const check = checkCorpusEntry(entry);
      checks.push(check);
      assert.equal(check.error, null, `${entry.file} did not import`);
      assert.deepEqual(check.wrong, [], `${entry.file}: wrong values`);
    });
  }

  it("finds at least 98% of the listed values", () => {
    const listed = manifest.reduce((n, e) => n + e.values.length, 0);
    const found = checks.reduce((n, c) => n + c.found, 0);
    const missing = checks.flatMap((c) => c.missing.map((m) => `${c.file}: ${JSON.stringify(m)}`));
    assert.ok(found / listed >= 0.98, `${found}/${listed} found; missing:\n${missing.join("\n")}`);
  });
});
