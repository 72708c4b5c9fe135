import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {InputError} from "../../../scripts/document/read.js";
import {read} from "../../helpers/fixtures.js";

const yaml = (lines: string[]) => lines.join("\n") + "\n";
const HEADER = ["benchbook: observations/1", "source: {title: a test writeup, lines: '10-20'}", "runtime: llama.cpp"];

function refused(text: string, line: number, pattern: RegExp) {
  assert.throws(
    () => read(text, "obs.yaml"),
    (e: unknown) => e instanceof InputError && e.line === line && pattern.test(e.message),
    `expected an error on line ${line} matching ${pattern}`
  );
}

describe("hand-entered YAML: what entries become", () => {
  const text = yaml([
    ...HEADER,
    "settings: {n_ubatch: 256}",
    "entries:",
    "  - metric: throughput",
    "    unit: tok/s",
    "    kind: tg",
    "    value: 62.00",
    "    line: 179",
    "  - {metric: throughput, unit: tok/s, stat: typical, low: 90, high: 100, text: 90-100 tok/s, line: 18}",
    "  - {metric: throughput, unit: tok/s, stat: peak, value: 80, approximate: true, text: 約80 tok/s}",
    "  - {metric: startup, unit: '', status: error, detail: out of memory, settings: {n_ubatch: 512}}"
  ]);
  const reading = read(text, "obs.yaml");
  const [run] = reading.stored.runs;

  it("marks the run hand-entered, with the source and the writeup's lines", () => {
    assert.equal(run.origin, "hand-entered");
    assert.equal(run.tool, "hand-entered");
    assert.equal(run.runtime, "llama.cpp");
    assert.deepEqual(run.extra.source, {title: "a test writeup", lines: "10-20"});
    assert.equal(run.extra.source_lines, "10-20");
    assert.deepEqual([run.source.line_start, run.source.line_end], [1, 13]);
    assert.deepEqual(
      reading.reading.blocks.map((b) => [b.format, b.confidence]),
      [["hand-observations-yaml", 1]]
    );
  });

  it("keeps a typed value on its line with its typed text, and the writeup line in extra", () => {
    const [value] = run.results;
    assert.deepEqual(
      [value.line, value.value, value.text, value.stat, value.kind, value.extra?.source_line],
      [9, 62, "62.00", "value", "tg", 179]
    );
  });

  it("turns a band into range_low and range_high", () => {
    const band = run.results.filter((r) => r.stat.startsWith("range"));
    assert.deepEqual(
      band.map((r) => [r.line, r.stat, r.value, r.text, r.extra?.range_of]),
      [
        [11, "range_low", 90, "90-100 tok/s", "typical"],
        [11, "range_high", 100, "90-100 tok/s", "typical"]
      ]
    );
  });

  it("marks approximate values and keeps failed configurations with a null value", () => {
    const approx = run.results.find((r) => r.stat === "peak")!;
    assert.equal(approx.extra?.approximate, true);
    assert.ok(run.results.filter((r) => r !== approx).every((r) => r.extra?.approximate === undefined));
    const failed = run.results.find((r) => r.status === "error")!;
    assert.deepEqual(
      [failed.value, failed.status_detail, failed.line, failed.settings?.n_ubatch],
      [null, "out of memory", 13, 512]
    );
    assert.equal(run.settings.n_ubatch, undefined, "n_ubatch differs between entries, so it stays on each result");
    assert.equal(run.results[0].settings?.n_ubatch, 256);
  });
});

describe("hand-entered YAML: runs, context and documents", () => {
  it("gives each run its own runtime, and does not carry a version across runtimes", () => {
    const text = yaml([
      "benchbook: observations/1",
      "source: {title: two engines}",
      "runtime: vllm",
      "runtime_version: 0.21.0",
      "runs:",
      "  - label: A",
      "    entries: [{metric: throughput, unit: tok/s, value: 1}]",
      "  - label: C",
      "    runtime: sglang",
      "    entries: [{metric: throughput, unit: tok/s, value: 2}]"
    ]);
    const runs = read(text).stored.runs;
    assert.deepEqual(
      runs.map((r) => [r.extra.label, r.runtime, r.extra.runtime_version ?? null]),
      [
        ["A", "vllm", "0.21.0"],
        ["C", "sglang", null]
      ]
    );
    assert.deepEqual(
      runs.map((r) => [r.source.line_start, r.source.line_end]),
      [
        [6, 7],
        [8, 10]
      ]
    );
  });

  it("reads a fenced YAML block inside a post, and takes hardware from the text before it", () => {
    const text = [
      "# My notes",
      "",
      "Apple M4:",
      "",
      "I wrote these down by hand:",
      "",
      "```yaml",
      ...HEADER,
      "entries:",
      "  - {metric: throughput, unit: tok/s, value: 39.0}",
      "```",
      "",
      "That is all."
    ].join("\n");
    const reading = read(text, "post.md");
    const [run] = reading.stored.runs;
    assert.equal(run.hardware.stated, "Apple M4");
    assert.deepEqual([run.source.line_start, run.source.line_end, run.results[0].line], [8, 12, 12]);
    assert.deepEqual(
      reading.reading.ignored.map((r) => [r.line_start, r.line_end]),
      [
        [2, 2],
        [4, 7],
        [13, 15]
      ]
    );
  });

  it("reads CRLF files and is chosen by --format", () => {
    const text = yaml([...HEADER, "entries:", "  - {metric: throughput, unit: tok/s, value: 64.16}"]).replace(
      /\n/g,
      "\r\n"
    );
    assert.equal(read(text, "x.yaml", {format: "hand-observations-yaml"}).stored.runs[0].results[0].value, 64.16);
  });
});

describe("hand-entered YAML: refused with the line and what was expected", () => {
  const entry = (lines: string[]) => yaml([...HEADER, "entries:", ...lines]);

  it("a misspelt key, on the key's line", () =>
    refused(entry(["  - metric: throughput", "    unit: tok/s", "    vaule: 64.16"]), 7, /a known key.*found "vaule"/));
  it("an ok entry without a value", () =>
    refused(entry(["  - metric: throughput", "    unit: tok/s"]), 5, /a value \(or low and high\)/));
  it("a number written with thousands separators", () =>
    refused(
      entry(["  - metric: throughput", "    unit: tok/s", "    value: 1,157"]),
      7,
      /entries\.0\.value: a number.*found "1,157"/
    ));
  it("a band whose high is below its low", () =>
    refused(entry(["  - {metric: throughput, unit: tok/s, low: 90,", "     high: 80}"]), 6, /high ≥ low/));
  it("a value on a failed configuration", () =>
    refused(
      entry(["  - metric: startup", "    unit: ''", "    value: 1", "    status: oom"]),
      8,
      /no value for a failed configuration/
    ));
  it("an unknown status", () =>
    refused(entry(["  - {metric: startup, unit: '', status: crashed}"]), 5, /one of ok, oom, error, timeout, skipped/));
  it("a missing unit", () => refused(entry(["  - {metric: throughput, value: 3}"]), 5, /entries\.0\.unit/));
  it("no entries at all", () => refused(yaml(HEADER), 1, /entries \(or runs/));
  it("a missing source", () =>
    refused(yaml(["benchbook: observations/1", "entries: [{metric: a, unit: b, value: 1}]"]), 1, /source/));
  it("a newer version of the format", () =>
    refused(yaml(["benchbook: observations/2", "source: {title: x}"]), 1, /observations\/1/));
  it("broken YAML", () => refused(entry(["  - {metric: throughput, unit: tok/s, value: 3"]), 5, /valid YAML/));
  it("a duplicated key", () =>
    refused(entry(["  - metric: throughput", "    unit: tok/s", "    value: 3", "    value: 4"]), 8, /valid YAML/));
});
