import assert from "node:assert/strict";
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from "node:fs";
import {tmpdir} from "node:os";
import {join, relative} from "node:path";
import {after, describe, it} from "node:test";
import {compareCsv, writeCompareJsonl} from "../../perf/compare.js";
import {readPlainInput} from "../../scripts/import/fast-path.js";
import {importInputs, type ImportOutcome} from "../../scripts/import/import.js";
import {syncIndex} from "../../scripts/query/index.js";
import {Store, type StoredInput} from "../../scripts/store/store.js";
import {FIXTURES, fixtureText} from "../helpers/fixtures.js";

const now = () => new Date("2026-01-01T00:00:00Z");
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "benchbook-fast-path-"));
  dirs.push(dir);
  return dir;
};
after(() => dirs.forEach((d) => rmSync(d, {recursive: true, force: true})));

const walk = (dir: string): string[] =>
  readdirSync(dir)
    .sort()
    .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));

/**
 * A store's files, by path under the store (index files by their table, as
 * their names hold the runs file's mtime), with their bytes.
 */
function storeFiles(root: string): Map<string, Buffer> {
  return new Map(
    walk(root)
      .filter((path) => !path.endsWith(".lock"))
      .map((path) => [relative(root, path).replace(/\.\d+\.\d+\.(\w+)\.parquet$/, ".$1.parquet"), readFileSync(path)])
  );
}

interface Imported {
  outcomes: ImportOutcome[];
  files: Map<string, Buffer>;
}

/** Import the inputs into a fresh store and index it, as `benchbook import` does: through the fast path or the general one. */
async function importInto(inputs: {name: string; bytes: Buffer}[], fastPath: boolean): Promise<Imported> {
  const store = new Store(tempDir());
  const outcomes = importInputs(inputs, {store, now, fastPath});
  const fresh = new Map(outcomes.flatMap((o) => (o.status === "imported" && o.written ? [o.written] : [])));
  if (outcomes.some((o) => o.status === "imported")) await syncIndex(store, {prune: true, fresh});
  return {outcomes, files: storeFiles(store.root)};
}

const message = (o: ImportOutcome) => (o.status === "failed" ? o.error.message : o.status);

/** Both paths' stores for the inputs; they must hold the same bytes, and fail the same way. */
async function importBoth(inputs: {name: string; bytes: Buffer}[]): Promise<{fast: Imported; general: Imported}> {
  const fast = await importInto(inputs, true);
  const general = await importInto(inputs, false);
  assert.deepEqual(fast.outcomes.map(message), general.outcomes.map(message));
  assert.deepEqual([...fast.files.keys()], [...general.files.keys()]);
  for (const [path, data] of general.files) assert.ok(data.equals(fast.files.get(path)!), `${path} differs`);
  inputs.forEach(({name, bytes}, i) => {
    const outcome = fast.outcomes[i];
    if (readPlainInput(bytes, {}))
      assert.ok(outcome.status === "imported" && outcome.written, `${name}: indexed from memory`);
    else assert.ok(outcome.status !== "imported" || !outcome.written, `${name}: read back for the index`);
  });
  return {fast, general};
}

const build80 = fixtureText("captured/builds/80fb11a-1.jsonl");
const csv = fixtureText("captured/cpu/llama-bench-csv.stdout");
const buildDe = fixtureText("captured/builds/de3ff81-1.jsonl");

describe("the import's fast path for plain llama-bench JSONL and CSV", () => {
  it("stores every fixture byte for byte as the general path does (runs file, raw copy, index)", async () => {
    const inputs = new Map<string, {name: string; bytes: Buffer}>();
    for (const path of walk(FIXTURES)) {
      const bytes = readFileSync(path);
      // Inputs the fast path leaves alone go through the same code either way; a fixture store's raw copies once.
      if (bytes.length > 4 * 2 ** 20 || !readPlainInput(bytes, {})) continue;
      inputs.set(bytes.toString("latin1"), {name: relative(FIXTURES, path), bytes});
    }
    // The captured CPU builds and CPU capture, the H100 run's llama-bench files.
    assert.ok(inputs.size >= 20, `${inputs.size} fixtures took the fast path`);
    await importBoth([...inputs.values()]);
  });

  it("stores large generated files (perf's records, JSONL and CSV) and two builds in one file as the general path does", async () => {
    const {builds, both} = writeCompareJsonl(tempDir(), 40);
    const inputs = [
      {name: "one-build.jsonl", bytes: readFileSync(builds[0])},
      {name: "two-builds.jsonl", bytes: readFileSync(both)},
      {name: "two-captured-builds.jsonl", bytes: Buffer.from(build80 + buildDe)},
      {name: "one-build.csv", bytes: Buffer.from(compareCsv(40))},
      // No line break after the last record or row; one record; text that is not ASCII.
      {name: "no-final-break.jsonl", bytes: Buffer.from(build80.trimEnd())},
      {name: "no-final-break.csv", bytes: Buffer.from(csv.trimEnd())},
      {name: "one-record.jsonl", bytes: Buffer.from(build80.split("\n")[0])},
      {name: "unicode.jsonl", bytes: Buffer.from(build80.replace(/tiny\.gguf/g, "модель-ü-模型.gguf"))}
    ];
    for (const {name, bytes} of inputs) assert.ok(readPlainInput(bytes, {}), name);
    const {fast} = await importBoth(inputs);
    assert.deepEqual(
      fast.outcomes.map((o) => (o.status === "imported" ? [o.runs.length, o.runs[0].format] : null)),
      [
        [1, "llama-bench-jsonl"],
        [2, "llama-bench-jsonl"],
        [2, "llama-bench-jsonl"],
        [1, "llama-bench-csv"],
        [1, "llama-bench-jsonl"],
        [1, "llama-bench-csv"],
        [1, "llama-bench-jsonl"],
        [1, "llama-bench-jsonl"]
      ]
    );
  });

  it("leaves to the general path what it reads differently, which then stores and fails as before", async () => {
    const [first, ...rest] = build80.trimEnd().split("\n");
    const cases: Record<string, string> = {
      // A broken line: the general path's ParseError names it.
      broken: [first, rest[0].slice(0, 80), ...rest.slice(1)].join("\n") + "\n",
      // A key twice: refused at its line.
      "duplicate key": [first.replace('"avg_ts":', '"avg_ts": 1, "avg_ts":'), ...rest].join("\n") + "\n",
      // A secret: replaced in the stored copy, and the input stored under the redacted bytes' hash.
      secret:
        [
          first.replace('"cpu_info": "AMD EPYC"', '"cpu_info": "AMD EPYC hf_abcdefghijklmnopqrstuvwxyz0123456789"'),
          ...rest
        ].join("\n") + "\n",
      // CRLF line ends, a BOM, stderr noise and a command line: the document reader's business.
      crlf: build80.replace(/\n/g, "\r\n"),
      bom: "\uFEFF" + build80,
      noise: [first, "ggml_cuda_init: found 1 CUDA devices:", ...rest].join("\n") + "\n",
      command: `./llama-bench -m tiny.gguf -o jsonl\n${build80}`,
      "blank last line": build80 + "\n",
      // Negative zero would be stored as 0; a non-finite number and a negative throughput are refused or noted.
      "negative zero": build80.replace('"n_depth": 0', '"n_depth": -0.0'),
      overflow: build80.replace(/"avg_ts": [\d.]+/, '"avg_ts": 1e999'),
      negative: build80.replace(/"avg_ts": [\d.]+/, '"avg_ts": -5'),
      "numeric text": build80.replace(/"n_prompt": (\d+)/, '"n_prompt": "$1"'),
      "no records": "{}\n",
      // CSV: a row of another length, a broken quote, a header alone.
      "short row.csv": csv.replace(/,"[^"]*"\n/, "\n"),
      "broken quote.csv": csv.replace('"AMD EPYC"', '"AMD EPYC'),
      "header only.csv": csv.slice(0, csv.indexOf("\n") + 1)
    };
    const inputs = Object.entries(cases).map(([name, text]) => ({
      name: name.endsWith(".csv") ? name : `${name}.jsonl`,
      bytes: Buffer.from(text)
    }));
    const {general} = await importBoth(inputs);
    const failures = Object.fromEntries(
      general.outcomes.map((o) => [o.name, o.status === "failed" ? o.error.message : null])
    );
    // A numeric text is what the general reader converts too (records.ts, num): the fast path reads it the same.
    for (const {name, bytes} of inputs)
      assert.equal(readPlainInput(bytes, {}) !== null, name === "numeric text.jsonl", name);
    assert.match(failures["broken.jsonl"] ?? "", /^broken\.jsonl: line 2: llama-bench-jsonl: /);
    assert.match(failures["duplicate key.jsonl"] ?? "", /^duplicate key\.jsonl: line 1: .*avg_ts/);
    assert.match(failures["overflow.jsonl"] ?? "", /^overflow\.jsonl: line 1: a finite number/);
    assert.match(failures["no records.jsonl"] ?? "", /no benchmark output recognized/);
    assert.match(failures["broken quote.csv"] ?? "", /^broken quote\.csv: line 2: llama-bench-csv: /);
    assert.match(
      failures["header only.csv"] ?? "",
      /^header only\.csv: line 1: .*rows after the llama-bench CSV header/
    );
    assert.match(
      failures["short row.csv"] ?? "",
      /^short row\.csv: line 2: llama-bench-csv: expected 41 comma-separated/
    );
    assert.equal(Object.values(failures).filter((f) => f !== null).length, 7);
    const secret = await importInto([inputs.find((i) => i.name === "secret.jsonl")!], true);
    assert.ok(![...secret.files.values()].some((data) => data.includes("hf_abcdefghijklmnop")));
    assert.equal(readPlainInput(Buffer.from(cases["negative zero"]), {}), null);
    assert.equal(readPlainInput(Buffer.from(build80), {fastPath: false}), null);
    assert.equal(readPlainInput(Buffer.from(build80), {format: "llama-bench-jsonl"}), null);
  });
});
