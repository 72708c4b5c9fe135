/**
 * The audit of the four seed writeups (docs/seeds-audit.md) as tests: every
 * table, result block and log excerpt of each seed's outputs is read by a
 * format or is context, and nothing is left unexplained. The seeds' prose is
 * not here: each document is the outputs-only copy in test/fixtures/seeds/,
 * with sentences written for these tests between the blocks.
 */
import assert from "node:assert/strict";
import {cpSync, readdirSync, readFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import type {DocumentReading} from "../../scripts/document/read.js";
import {InputError, readDocument} from "../../scripts/document/read.js";
import {cli, tempDir} from "../helpers/cli.js";
import {fixtureText, read} from "../helpers/fixtures.js";
import {REPO} from "../helpers/site.js";

/** Every physical line is a block, context or ignored, and each ignored range says why. */
function assertAccounted(text: string, reading: DocumentReading) {
  const total = text.replace(/\r?\n$/, "").split(/\r\n|\n|\r/).length;
  const seen = new Set<number>();
  for (const r of [...reading.blocks, ...reading.context, ...reading.ignored])
    for (let l = r.line_start; l <= r.line_end; l++) seen.add(l);
  for (let line = 1; line <= total; line++) assert.ok(seen.has(line), `line ${line} is accounted for`);
  for (const r of reading.ignored) assert.ok(r.reason.length > 0);
}

/** The fixture's blocks with a sentence of our own after each blank line: prose between outputs, as in a post. */
function withProse(text: string, sentence: string): string {
  return text.replace(/\n\n/g, `\n\n${sentence}\n\n`);
}

const lineOf = (lines: string[], predicate: (l: string) => boolean) =>
  lines.flatMap((l, i) => (predicate(l) ? [i + 1] : []));

describe("seed 000 (4× RTX 3080: layer vs tensor split, vLLM serving)", () => {
  const text = withProse(
    fixtureText("seeds/000-4x3080-split.txt"),
    "Here is the next configuration I tried, with the same four cards."
  );
  const lines = text.split("\n");
  const {reading, stored} = read(text, "post-000.md");

  it("reads every llama-bench table (one per build footer) and every vLLM serving result (one per result banner)", () => {
    const footers = [...text.matchAll(/build: [0-9a-f]+ \(\d+\)/g)].length;
    const banners = [...text.matchAll(/={6,} サービングベンチマーク結果 ={6,}/g)].length;
    assert.equal(reading.blocks.filter((b) => b.format === "llama-bench-md").length, footers);
    assert.equal(reading.blocks.filter((b) => b.format === "vllm-serve-text").length, banners);
    assert.equal(reading.blocks.length, footers + banners);
    // Oracle: each table's rows hold `value ± sd` cells; the runs hold exactly those values.
    const printed = [...text.matchAll(/\|\s*(\d+(?:\.\d+)?) ± (\d+(?:\.\d+)?)\s*\|/g)].map((m) => Number(m[1]));
    assert.deepEqual(
      stored.runs.filter((r) => r.tool === "llama-bench").flatMap((r) => r.results.map((x) => x.value)),
      printed
    );
  });

  it("explains every line: commands and device lines as context, our sentences as prose", () => {
    assertAccounted(text, reading);
    const prose = reading.ignored.filter((r) => r.reason.startsWith("prose"));
    for (const line of lineOf(lines, (l) => l.startsWith("Here is the next")))
      assert.ok(
        prose.some((r) => r.line_start <= line && line <= r.line_end),
        `line ${line} is prose`
      );
    assert.ok(
      reading.context.some((c) => c.kind === "devices") &&
        reading.context.some((c) => c.summary.includes("server launch"))
    );
  });
});

describe("seed 001 (RTX 4090 and Apple M4: llama-bench, llama-benchy against three servers, mlx_lm.benchmark)", () => {
  const text = withProse(
    fixtureText("seeds/001-rtx4090-m4.txt"),
    "The next numbers came from the same machine an hour later."
  );
  const {reading, stored} = read(text, "post-001.md");

  it("reads every table by its header and the MLX trials", () => {
    const benchTables = [...text.matchAll(/^\| model +\| +size \|/gm)].length;
    const benchyTables = [...text.matchAll(/^\| model +\| +test \| +t\/s \|/gm)].length;
    assert.equal(reading.blocks.filter((b) => b.format === "llama-bench-md").length, benchTables);
    assert.equal(reading.blocks.filter((b) => b.format === "llama-benchy-md").length, benchyTables);
    assert.equal(
      reading.blocks.filter((b) => b.format === "mlx-lm-benchmark").length,
      [...text.matchAll(/^Averages:/gm)].length
    );
    assert.equal(reading.blocks.length, benchTables + benchyTables + 1);
  });

  it("gives each llama-benchy run the runtime of the server above it", () => {
    assert.deepEqual(
      stored.runs.filter((r) => r.tool === "llama-benchy").map((r) => r.runtime),
      ["llama.cpp", "llama.cpp", "sglang", "vllm"]
    );
    assertAccounted(text, reading);
  });
});

describe("seed 002 (dual RTX 3060 retuning log): no tool output, so the writer's figures are entered by hand", () => {
  // The seed's real blocks (its quoted load log, its engine arguments, its nvidia-smi command) and a table
  // of its -ub sweep figures, around sentences written for this test.
  const table = [
    "| -ub | prompt t/s | gen t/s |",
    "|---|---|---|",
    "| 128 | 649 | 62.01 |",
    "| 256 | 1,157 | 62.00 |",
    "| 384 (-b 768) | 1,275 | 61.61 |"
  ];
  const parts = [
    "My retuning notes for the balanced role.",
    "",
    "What the server printed about the model when it loaded:",
    "```",
    fixtureText("seeds/002-load-log.txt").trimEnd(),
    "```",
    "",
    "The -ub sweep, measured by hand with a long prompt:",
    "",
    ...table,
    "",
    "The final arguments:",
    "```json",
    fixtureText("seeds/002-engine-args.txt").trimEnd(),
    "```",
    "",
    "To check VRAM:",
    "nvidia-smi --query-gpu=index,memory.used,memory.free,pcie.link.gen.current,pcie.link.width.current --format=csv",
    "That is all for today; the numbers above were typed by hand."
  ];
  const text = parts.join("\n");
  const lines = text.split("\n");

  const error = (() => {
    try {
      readDocument(text, {name: "retune.md"});
    } catch (e) {
      return e as InputError;
    }
    assert.fail("expected no block");
  })();

  it("refuses the import with a message that points at the observations format and names what it did read", () => {
    assert.ok(error instanceof InputError);
    assert.match(error.message, /^retune\.md: line 1: no benchmark output recognized/);
    assert.match(
      error.message,
      /its results seem to be stated in prose or hand-made tables \(1 table no format reads, the first at lines \d+-\d+\)\. Type those figures into an observations file \(docs\/hand-entered\.md\)/
    );
    assert.match(
      error.message,
      /Read only as context: llama\.cpp model-load facts \(lines \d+-\d+\); nvidia-smi command \(line \d+\)/
    );
  });

  it("still explains every line: the load log as model facts, the JSON and the table as not read, the command as context", () => {
    const reading = error.reading!;
    assertAccounted(text, reading);
    const model = reading.context.find((c) => c.kind === "model")!;
    const loadLog = lineOf(lines, (l) => /^[a-z_ ]+ = /.test(l));
    assert.deepEqual([model.line_start, model.line_end], [loadLog[0], loadLog.at(-1)]);
    const json = reading.ignored.find((r) => r.reason.startsWith("JSON"))!;
    assert.ok(
      json.line_start <= lineOf(lines, (l) => l === "{")[0] && json.line_end >= lineOf(lines, (l) => l === "}").at(-1)!
    );
    const tableRange = reading.ignored.find((r) => r.reason.startsWith("a table"))!;
    assert.equal(tableRange.line_start, lineOf(lines, (l) => l === table[0])[0]);
    assert.ok(
      tableRange.line_end >= lineOf(lines, (l) => l === table.at(-1))[0],
      "the blank line after it joins the range"
    );
    assert.deepEqual(
      reading.context.filter((c) => c.kind === "command").map((c) => c.summary),
      ["nvidia-smi command"]
    );
  });

  it("parse --explain lists every line of it, then says why nothing was read (exit status 1)", async () => {
    const {code, stdout, stderr} = await cli(["parse", "-", "--explain", "--name", "retune.md"], {stdin: text});
    assert.equal(code, 1);
    assert.match(stdout, /^retune\.md: no block\n/);
    assert.match(stdout, /lines \d+-\d+  context  model: llama\.cpp model-load facts/);
    assert.match(stdout, /ignored  a table no format recognizes \(columns: -ub, prompt t\/s, gen t\/s\)/);
    assert.match(stderr, /no benchmark output recognized.*docs\/hand-entered\.md/);
  });

  it("the hand-entered file holds the figures of the table (its oracle: the table's cells)", () => {
    const {stored} = read(fixtureText("seeds/002-dual-3060-retune.yaml"), "002.yaml");
    const values = new Set(stored.runs.flatMap((r) => r.results.map((x) => x.value)));
    for (const row of table.slice(2))
      for (const cell of row.split("|").slice(2, 4)) assert.ok(values.has(Number(cell.trim().replace(",", ""))), cell);
  });

  it("the supplementary file enters the commit message's speculative-decoding figures with their signs", () => {
    const {stored} = read(fixtureText("seeds/002-spec-decoding.yaml"), "002-spec.yaml");
    assert.deepEqual(
      stored.runs[0].results.map((r) => [r.metric, r.value, r.unit, r.text]),
      [
        ["throughput_change", 14, "%", "+14% gen"],
        ["cold_start_change", -31, "%", "-31% cold start"]
      ]
    );
    assert.ok(stored.runs.every((r) => r.origin === "hand-entered"));
  });
});

describe("seed 003 (vLLM vs SGLang on RTX PRO 6000): logs read, configuration tables as context, summaries by hand", () => {
  const text = withProse(fixtureText("seeds/003-outputs.txt"), "I wrote this down while the server was still running.");
  const lines = text.split("\n");
  const {reading, stored} = read(text, "post-003.md");

  it("reads the vLLM digest lines and every SGLang pool and KV memory excerpt", () => {
    assert.equal(reading.blocks.filter((b) => b.format === "vllm-log-summary").length, 1);
    const digest = lineOf(lines, (l) => /Generation throughput: [\d.]+ tok\/s +acceptance length/.test(l));
    const block = reading.blocks.find((b) => b.format === "vllm-log-summary")!;
    assert.deepEqual([block.line_start, block.line_end], [digest[0], digest.at(-1)]);
    // Every SGLang excerpt line is inside an sglang-log block.
    const sglang = lineOf(lines, (l) =>
      /^\s*(?:full_layer_tokens|swa_layer_tokens|max_total_num_tokens)=|KV: .* GB K \+|Total SWAKVPool usage/.test(l)
    );
    for (const line of sglang)
      assert.ok(
        reading.blocks.some((b) => b.format === "sglang-log" && b.line_start <= line && line <= b.line_end),
        `line ${line}`
      );
  });

  it("reads every configuration row as context (GPU rows as hardware), leaving only the table headers and the writer's KV size figure", () => {
    assertAccounted(text, reading);
    const rows = lineOf(lines, (l) =>
      /^(?:Runtime|GPU|Quantization|KV cache|Context length|Tensor parallel|Speculative|Attention|Sampling|Compile|Draft)/.test(
        l
      )
    );
    const context = new Set(
      reading.context.flatMap((c) => Array.from({length: c.line_end - c.line_start + 1}, (_, k) => c.line_start + k))
    );
    const notContext = rows.filter((l) => !context.has(l)).map((l) => lines[l - 1]);
    assert.deepEqual(
      notContext,
      ["GPU KV cache size876,006 tokens"],
      "a figure the writer measured: entered by hand (003-rtx-pro-6000-vllm-sglang.yaml)"
    );
    assert.ok(
      stored.runs.filter((r) => r.format === "sglang-log").every((r) => typeof r.settings.kv_cache_dtype === "string")
    );
  });
});

describe("the bundled store (data/) is what the parsers read from its raw inputs today", () => {
  it("a reparse changes nothing: every seed result keeps its model, machine, build and test", async () => {
    const copy = join(tempDir("benchbook-seeds-"), "data");
    cpSync(join(REPO, "data"), copy, {recursive: true});
    const out = await cli(["reparse", "--store", copy, "--json"]);
    assert.equal(out.code, 0, out.stderr);
    for (const name of readdirSync(join(REPO, "data", "runs"))) {
      // Seed 001's llama-benchy run takes its build from "# llama-server version: 8396 (054d8b0f2)" above the server command.
      assert.equal(
        readFileSync(join(copy, "runs", name), "utf8"),
        readFileSync(join(REPO, "data", "runs", name), "utf8"),
        name
      );
    }
  });
});
