import assert from "node:assert/strict";
import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {RawLines} from "../../scripts/export/run-file.js";
import {tempDir} from "../helpers/cli.js";

/** What the export quoted before it read lazily: the whole text split at once. */
const whole = (text: string) => text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);

describe("RawLines: a raw input's lines, read in chunks as far as asked", () => {
  const dir = tempDir();
  const chunk = 64 * 1024;
  const texts: Record<string, string> = {
    empty: "",
    "no final break": "a\nb",
    "final break": "a\nb\n",
    crlf: "a\r\nb\r\n\r\nc",
    "cr only": "a\rb\r\rc\r",
    bom: "\uFEFFfirst\nsecond\n",
    // \r as the last byte of a chunk and \n as the first of the next: one break, not two.
    "crlf across chunks": "x".repeat(chunk - 1) + "\r\n" + "y\r\nz",
    // A multi-byte character split between chunks.
    "utf-8 across chunks": "é".repeat(chunk / 2 - 1) + "x" + "€😀\nnext ünïcode line\n",
    "long lines": Array.from({length: 50}, (_, i) => `${i}:` + "w".repeat(9000 + i)).join("\n")
  };
  for (const [name, text] of Object.entries(texts)) {
    it(name, () => {
      const path = join(dir, `${name.replace(/\W/g, "_")}.txt`);
      writeFileSync(path, text);
      const expected = whole(text);
      const stored = expected.length > 1 && expected.at(-1) === "" ? expected.length - 1 : expected.length;
      // Asked in an order that makes it read further in steps, then back.
      const lines = new RawLines(path, stored);
      for (const n of [2, 1, expected.length, expected.length + 1, 3])
        assert.equal(lines.line(n), expected[n - 1], `line ${n}`);
      const fresh = new RawLines(path, stored);
      for (let n = 1; n <= expected.length + 1; n++) assert.equal(fresh.line(n), expected[n - 1], `line ${n} in order`);
      assert.equal(new RawLines(path, stored).clamp(stored + 5), expected.length);
      assert.equal(new RawLines(path, stored).clamp(1), 1);
    });
  }
});
