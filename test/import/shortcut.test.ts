import assert from "node:assert/strict";
import {readdirSync, readFileSync, statSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {readDocument} from "../../scripts/document/read.js";
import {FORMATS} from "../../scripts/formats/registry.js";
import {shortcutFormats} from "../../scripts/import/shortcut.js";
import {FIXTURES, fixtureText} from "../helpers/fixtures.js";

/** Both readings of a text: every format, and the shortcut's (when it takes one). */
function readBoth(text: string, name = "input.jsonl") {
  const formats = shortcutFormats(text);
  const full = (() => {
    try {
      return readDocument(text, {name});
    } catch (error) {
      return {error: String(error)};
    }
  })();
  if (!formats) return {formats, full, short: null};
  const short = (() => {
    try {
      return readDocument(text, {name, formats});
    } catch (error) {
      return {error: String(error)};
    }
  })();
  return {formats, full, short};
}

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));

const jsonl = fixtureText("llama-bench/readme-b5163/out.jsonl");
const records = jsonl.split("\n").filter(Boolean);

describe("detection shortcut for whole llama-bench JSONL files", () => {
  it("reads every fixture exactly as full detection does whenever it is taken", () => {
    let taken = 0;
    for (const path of walk(FIXTURES)) {
      const text = readFileSync(path, "utf8");
      const {formats, full, short} = readBoth(text, path);
      if (!formats) continue;
      taken++;
      assert.deepEqual(short, full, path);
    }
    assert.ok(taken >= 1, "the llama-bench JSONL fixture takes the shortcut");
  });

  it("is taken for a llama-bench JSONL file, with stderr noise between records and CRLF line ends", () => {
    const noisy = [records[0], "ggml_cuda_init: found 1 CUDA devices:", "", ...records.slice(1)].join("\r\n") + "\r\n";
    for (const text of [jsonl, noisy, "\uFEFF" + jsonl]) {
      const {formats, full, short} = readBoth(text);
      assert.deepEqual(
        formats?.map((f) => f.id),
        ["llama-bench-jsonl"]
      );
      assert.deepEqual(short, full);
      assert.ok(!("error" in full) && full.runs.length === 1);
    }
  });

  it("is refused where another format could claim the lines or context precedes the records", () => {
    // A command line before the records is context: the block does not start at line 1.
    assert.equal(shortcutFormats(`./llama-bench -m model.gguf -o jsonl\n${jsonl}`), null);
    // Prose after them.
    assert.equal(shortcutFormats(`${jsonl}\nThat was fast.\n`), null);
    // Not JSONL at all.
    assert.equal(shortcutFormats(fixtureText("llama-bench/readme-b5163/out.csv")), null);
    assert.equal(shortcutFormats(""), null);
  });

  it("is refused when a format listed before llama-bench-jsonl claims the lines with the same confidence", () => {
    // A benchbook endpoint result file holds llama-bench-like keys on one line; the endpoint format wins the tie.
    const endpointLike = `{"benchbook_endpoint": 1, "n_prompt": 512, "n_gen": 0, "avg_ts": 1.5}\n`;
    assert.equal(shortcutFormats(endpointLike), null);
    assert.equal(
      shortcutFormats(
        endpointLike,
        FORMATS.filter((f) => f.id !== "benchbook-endpoint-json")
      )?.length,
      1
    );
  });

  it("needs llama-bench-jsonl in the list it is given", () => {
    assert.equal(
      shortcutFormats(
        jsonl,
        FORMATS.filter((f) => f.id !== "llama-bench-jsonl")
      ),
      null
    );
  });
});
