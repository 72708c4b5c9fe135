/**
 * llama-bench's machine-readable formats (csv, json, jsonl, sql), on real
 * outputs: captured from our CPU build (test/fixtures/captured/cpu, build
 * de3ff81) and copied from llama.cpp's README (build 5163, older fields).
 */
import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {csvParse} from "d3-dsv";
import {InputError} from "../../../scripts/document/read.js";
import {fixtureText, read, readFixture, rowsOf} from "../../helpers/fixtures.js";

type Printed = {
  n_prompt: number;
  n_gen: number;
  n_depth: number;
  avg_ts: number;
  stddev_ts: number;
  avg_ns: number;
  samples_ts?: number[];
};

/** The oracle: the records as the file itself holds them. */
function jsonRecords(text: string): Printed[] {
  const trimmed = text.trim();
  return trimmed.startsWith("[")
    ? JSON.parse(trimmed)
    : trimmed
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l));
}

function assertMatches(rows: ReturnType<typeof rowsOf>, printed: Printed[]) {
  const throughput = rows.filter((r) => r.metric === "throughput");
  const duration = rows.filter((r) => r.metric === "duration");
  assert.equal(throughput.length, printed.length);
  assert.equal(duration.length, printed.length);
  printed.forEach((p, i) => {
    assert.deepEqual(
      [throughput[i].n_prompt, throughput[i].n_gen, throughput[i].n_depth],
      [Number(p.n_prompt), Number(p.n_gen), Number(p.n_depth)]
    );
    assert.equal(throughput[i].value, Number(p.avg_ts));
    assert.equal(throughput[i].stddev, Number(p.stddev_ts));
    assert.equal(throughput[i].stddev_kind, "sample");
    assert.equal(throughput[i].unit, "tok/s");
    assert.equal(duration[i].value, Number(p.avg_ns));
    assert.equal(duration[i].unit, "ns");
    if (p.samples_ts) {
      assert.deepEqual(throughput[i].samples, p.samples_ts);
      assert.equal(throughput[i].repetitions, p.samples_ts.length);
    }
  });
}

describe("llama-bench json/jsonl/csv/sql captured from a real CPU build", () => {
  for (const [file, format] of [
    ["captured/cpu/llama-bench-json.stdout", "llama-bench-json"],
    ["captured/cpu/llama-bench-jsonl.stdout", "llama-bench-jsonl"]
  ] as const) {
    it(`${format}: every record, with samples`, () => {
      const reading = readFixture(file);
      assert.deepEqual(
        reading.reading.blocks.map((b) => b.format),
        [format]
      );
      assertMatches(rowsOf(reading), jsonRecords(fixtureText(file)));
    });
  }

  it("llama-bench-csv: every row, numbers exactly as written", () => {
    const reading = readFixture("captured/cpu/llama-bench-csv.stdout");
    assert.deepEqual(
      reading.reading.blocks.map((b) => b.format),
      ["llama-bench-csv"]
    );
    const printed = csvParse(fixtureText("captured/cpu/llama-bench-csv.stdout")) as unknown as Printed[];
    assertMatches(rowsOf(reading), printed);
    assert.deepEqual(
      rowsOf(reading)
        .filter((r) => r.metric === "throughput")
        .map((r) => r.line),
      [2, 3, 4, 5]
    );
  });

  it("llama-bench-sql: INSERT values for table llama_bench, read without executing", () => {
    const text = fixtureText("captured/cpu/llama-bench-sql.stdout");
    const reading = readFixture("captured/cpu/llama-bench-sql.stdout");
    assert.deepEqual(
      reading.reading.blocks.map((b) => b.format),
      ["llama-bench-sql"]
    );
    const inserts = text.split("\n").filter((l) => l.startsWith("INSERT"));
    const rows = rowsOf(reading).filter((r) => r.metric === "throughput");
    assert.equal(rows.length, inserts.length);
    rows.forEach((row, i) => {
      const values = [...inserts[i].split("VALUES")[1].matchAll(/'([^']*)'/g)].map((m) => m[1]);
      assert.equal(row.value, Number(values.at(-2)));
      assert.equal(row.stddev, Number(values.at(-1)));
      assert.equal(text.split("\n")[(row.line as number) - 1], inserts[i]);
    });
  });

  it("keeps fields this build added (lazy_mode, fit_target) as settings, and run-level facts once", () => {
    const [run] = readFixture("captured/cpu/llama-bench-json.stdout").stored.runs;
    assert.equal(run.settings.lazy_mode, "auto");
    assert.equal(run.settings.load_mode, "auto");
    assert.equal(run.settings.flash_attn, -1);
    assert.equal(run.build_commit, "de3ff81");
    assert.equal(run.build_number, 1);
    assert.equal(run.hardware.backend, "CPU");
    assert.equal(run.hardware.cpu, "AMD EPYC");
    assert.equal(run.model.size_bytes, 4244736);
    assert.equal(run.model.n_params, 2122048);
    assert.equal(run.model.name, "llama ?B F16");
    assert.equal(run.started_at, "2026-11-22T02:18:24Z");
  });

  it("a -ub/-t sweep keeps the varying settings on each result", () => {
    const reading = readFixture("captured/cpu/llama-bench-sweep-jsonl.stdout");
    const [run] = reading.stored.runs;
    const printed = jsonRecords(fixtureText("captured/cpu/llama-bench-sweep-jsonl.stdout")) as unknown as Record<
      string,
      number
    >[];
    const throughput = run.results.filter((r) => r.metric === "throughput");
    assert.deepEqual(
      throughput.map((r) => [
        r.settings?.n_ubatch ?? run.settings.n_ubatch,
        r.settings?.n_threads ?? run.settings.n_threads
      ]),
      printed.map((p) => [p.n_ubatch, p.n_threads])
    );
  });

  it("skips stderr noise between JSONL records (2>&1 captures)", () => {
    const records = fixtureText("captured/cpu/llama-bench-jsonl.stdout").trim().split("\n");
    const noise = fixtureText("captured/cpu/llama-bench-progress-md.stderr").trim().split("\n");
    const interleaved = records.flatMap((record, i) => [noise[i] ?? "main: warming up", record]).join("\n");
    const reading = read(interleaved, "combined.log");
    assertMatches(rowsOf(reading), jsonRecords(records.join("\n")));
  });

  it("a failed run keeps the tests that finished (the table just stops)", () => {
    const md = readFixture("captured/cpu/llama-bench-fail-md.stdout");
    assert.equal(rowsOf(md).length, 2);
    const jsonl = readFixture("captured/cpu/llama-bench-fail-jsonl.stdout");
    assert.equal(
      rowsOf(jsonl).filter((r) => r.metric === "throughput").length,
      jsonRecords(fixtureText("captured/cpu/llama-bench-fail-jsonl.stdout")).length
    );
  });
});

describe("llama-bench formats of an older build (README, build 5163)", () => {
  for (const [file, format] of [
    ["out.json", "llama-bench-json"],
    ["out.jsonl", "llama-bench-jsonl"],
    ["out.csv", "llama-bench-csv"],
    ["out.sql", "llama-bench-sql"]
  ] as const) {
    it(`${format}: use_mmap and boolean flash_attn are kept as printed`, () => {
      const reading = readFixture(`llama-bench/readme-b5163/${file}`);
      assert.deepEqual(
        reading.reading.blocks.map((b) => b.format),
        [format]
      );
      const [run] = reading.stored.runs;
      const csvLike = format === "llama-bench-csv" || format === "llama-bench-sql";
      assert.equal(run.settings.use_mmap, csvLike ? 1 : true);
      assert.equal(run.settings.flash_attn, csvLike ? 0 : false);
      assert.equal(run.settings.n_gpu_layers, 99);
      assert.equal(run.model.n_params, 7615616512);
      assert.equal(run.hardware.gpu_info, "NVIDIA GeForce RTX 4080");
      const rows = rowsOf(reading).filter((r) => r.metric === "throughput");
      assert.deepEqual(
        rows.map((r) => r.test),
        ["pp512", "tg128"]
      );
    });
  }

  it("json values equal the file's own numbers", () => {
    assertMatches(
      rowsOf(readFixture("llama-bench/readme-b5163/out.json")),
      jsonRecords(fixtureText("llama-bench/readme-b5163/out.json"))
    );
  });

  it("old Markdown `pp 64` tests with a threads sweep", () => {
    const rows = rowsOf(readFixture("llama-bench/readme-b5163/md-threads.md"));
    assert.equal(rows.length, 12);
    assert.deepEqual(
      rows.slice(0, 2).map((r) => [r.test, r.test_printed, r.kind, r.n_prompt, r.n_gen, r.n_threads]),
      [
        ["pp64", "pp 64", "pp", 64, 0, "1"],
        ["tg16", "tg 16", "tg", 0, 16, "1"]
      ]
    );
    assert.equal(rows[0].command, "./llama-bench -n 0 -n 16 -p 64 -t 1,2,4,8,16,32");
  });
});

describe("llama-bench machine formats: malformed input", () => {
  it("a truncated JSON array names the line where it stops", () => {
    const text = fixtureText("captured/cpu/llama-bench-json.stdout");
    const cut = text.slice(0, text.indexOf('"avg_ts"', text.indexOf('"avg_ts"') + 10));
    assert.throws(
      () => read(cut, "cut.json"),
      (e: unknown) => e instanceof InputError && e.file === "cut.json" && /closing \]/.test(e.message)
    );
  });

  it("a broken JSONL record names its line", () => {
    const lines = fixtureText("captured/cpu/llama-bench-jsonl.stdout").trim().split("\n");
    lines[2] = lines[2].slice(0, 120);
    assert.throws(
      () => read(lines.join("\n"), "broken.jsonl"),
      (e: unknown) => e instanceof InputError && e.line === 3
    );
  });

  it("a CSV row with a missing value names its line", () => {
    const lines = fixtureText("captured/cpu/llama-bench-csv.stdout").trim().split("\n");
    lines[3] = lines[3].replace(/,"[^"]*"$/, "");
    assert.throws(
      () => read(lines.join("\n"), "short.csv"),
      (e: unknown) => e instanceof InputError && e.line === 4 && /comma-separated values/.test(e.message)
    );
  });

  it("a record without avg_ts is refused with the field named", () => {
    const text = '{"build_commit": "x", "n_prompt": 512, "n_gen": 0, "n_depth": 0, "avg_ts": "fast"}\n';
    assert.throws(
      () => read(text, "odd.jsonl"),
      (e: unknown) => e instanceof InputError && e.line === 1 && /avg_ts/.test(e.message)
    );
  });
});
