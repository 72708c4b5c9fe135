/**
 * benchbook compare without Python: selectors, pairing, the Speedup column
 * (checked against what llama.cpp's compare-llama-bench.py printed for the
 * same two fixtures, recorded in test/fixtures/compare/README.md), the noise
 * marks, and the three output formats.
 */
import assert from "node:assert/strict";
import {join} from "node:path";
import {describe, it} from "node:test";
import {compareRows, fixed2} from "../../scripts/compare/compare.js";
import {buildTable, formatMarkdown, formatTerminal, NOISE_MARK} from "../../scripts/compare/format.js";
import {storeRows} from "../../scripts/compare/rows.js";
import {parseSelector, SelectorError, selectRows} from "../../scripts/compare/select.js";
import {importInputs} from "../../scripts/import/import.js";
import {Store} from "../../scripts/store/store.js";
import {compareMeans} from "../../scripts/statistics/uncertainty.js";
import {cli, tempDir} from "../helpers/cli.js";
import {fixtureText} from "../helpers/fixtures.js";
import {REPO} from "../helpers/site.js";

const BUILDS = ["compare/llama-bench-de3ff81.json", "compare/llama-bench-d063b52.json"];

function storeOf(files: string[], tags: Record<string, string> = {}): Store {
  const store = new Store(tempDir("benchbook-compare-"));
  for (const file of files) {
    const [outcome] = importInputs([{name: file, bytes: Buffer.from(fixtureText(file))}], {store, tags});
    assert.notEqual(outcome.status, "failed", file);
  }
  return store;
}

const fixtureJson = (file: string) =>
  JSON.parse(fixtureText(file)) as {n_prompt: number; n_gen: number; n_depth: number; avg_ts: number}[];

/** compare-llama-bench.py's test names: pp64, tg16@d256. */
const llamaTest = (e: {n_prompt: number; n_gen: number; n_depth: number}) =>
  `${e.n_gen === 0 ? `pp${e.n_prompt}` : e.n_prompt === 0 ? `tg${e.n_gen}` : `pp${e.n_prompt}+tg${e.n_gen}`}${e.n_depth ? `@d${e.n_depth}` : ""}`;

describe("fixed2", () => {
  it("rounds like Python's format(x, '.2f'): exact ties to even, everything else to nearest", () => {
    assert.equal(fixed2(1.125), "1.12");
    assert.equal(fixed2(1.375), "1.38");
    assert.equal(fixed2(0.625), "0.62");
    assert.equal(fixed2(2.5), "2.50");
    assert.equal(fixed2(1.005), "1.00", "1.005 is 1.00499999… as a double");
    assert.equal(fixed2(22.510836), "22.51");
    assert.equal(fixed2(-1.125), "-1.12");
  });
});

describe("selectors", () => {
  const rows = storeRows(new Store(join(REPO, "data")));

  it("selects a run by id, and by id prefix when no id matches exactly", () => {
    assert.deepEqual(
      new Set(selectRows(rows, parseSelector("9df1ce38efa5-L5")).map((r) => r.run_id)),
      new Set(["9df1ce38efa5-L5"])
    );
    assert.deepEqual(
      new Set(selectRows(rows, parseSelector("9df1ce38efa5-L5.")).map((r) => r.run_id)),
      new Set(["9df1ce38efa5-L5.2"])
    );
    const all = new Set(selectRows(rows, parseSelector("9df1ce38efa5")).map((r) => r.run_id));
    assert.ok(all.size >= 4 && [...all].every((id) => String(id).startsWith("9df1ce38efa5-")));
  });

  it("reads key=value clauses: columns, tags, settings, alternatives, negation, commas inside values", () => {
    const s = parseSelector("split_mode=tensor,tag.writeup=4x3080-layer-vs-tensor");
    assert.equal(s.kind, "where");
    const picked = selectRows(rows, s);
    assert.ok(
      picked.length > 0 &&
        picked.every(
          (r) => r.split_mode === "tensor" && (r.tags as Record<string, string>).writeup === "4x3080-layer-vs-tensor"
        )
    );
    assert.deepEqual(
      parseSelector("tensor_split=0.48,0.52,runtime=vllm").kind === "where" &&
        (parseSelector("tensor_split=0.48,0.52,runtime=vllm") as {clauses: unknown[]}).clauses,
      [
        {key: "tensor_split", negate: false, values: ["0.48,0.52"]},
        {key: "runtime", negate: false, values: ["vllm"]}
      ]
    );
    assert.ok(
      selectRows(rows, parseSelector("runtime=vllm|sglang")).every(
        (r) => r.runtime === "vllm" || r.runtime === "sglang"
      )
    );
    assert.ok(selectRows(rows, parseSelector("runtime!=llama.cpp")).every((r) => r.runtime !== "llama.cpp"));
    assert.ok(selectRows(rows, parseSelector("setting.fa=1")).length >= 0);
    assert.equal(
      selectRows(rows, parseSelector("setting.n_threads=64")).length,
      selectRows(rows, parseSelector("n_threads=64")).length
    );
    assert.throws(() => parseSelector("no_such_column=1"), SelectorError);
  });
});

describe("compare two builds (the fixtures compare-llama-bench.py was run on)", () => {
  const rows = storeRows(storeOf(BUILDS));
  const a = selectRows(rows, parseSelector("build_commit=de3ff81"));
  const b = selectRows(rows, parseSelector("build_commit=d063b52"));
  const result = compareRows(a, b, {a: "build_commit=de3ff81", b: "build_commit=d063b52"});

  it("pairs every test and prints compare-llama-bench.py's Speedup column", () => {
    // As printed by compare-llama-bench.py for these files (test/fixtures/compare/README.md).
    const printed: Record<string, string> = {pp64: "1.51", "pp64@d256": "1.86", tg16: "22.51", "tg16@d256": "8.09"};
    const table = buildTable(result);
    const test = table.header.indexOf("Test");
    const speedup = table.header.indexOf("Speedup");
    assert.deepEqual(Object.fromEntries(table.rows.map((r) => [r[test].replace(/\s+/g, ""), r[speedup]])), printed);
    // …and each is B/A of the avg_ts the JSON files hold.
    const [ja, jb] = BUILDS.map(fixtureJson);
    for (const e of ja) {
      const other = jb.find((x) => llamaTest(x) === llamaTest(e))!;
      assert.equal(printed[llamaTest(e)], (other.avg_ts / e.avg_ts).toFixed(2));
    }
    assert.equal(result.metrics.length, 1);
    assert.deepEqual(result.metrics, ["throughput"]);
    assert.equal(result.a.label, "de3ff81");
    assert.equal(result.b.label, "d063b52");
    assert.deepEqual(table.header.slice(-5), ["t/s de3ff81", "t/s d063b52", "Speedup", "95% CI", "Noise"]);
  });

  it("marks the rows within noise by Welch's test on the printed sd and repetitions", () => {
    const table = buildTable(result);
    const noise = table.header.indexOf("Noise");
    for (const pair of result.pairs) {
      const expected = compareMeans(
        {value: pair.a!.value, stddev: pair.a!.stddev, stddev_kind: "sample", repetitions: 5},
        {value: pair.b!.value, stddev: pair.b!.stddev, stddev_kind: "sample", repetitions: 5}
      );
      assert.equal(pair.comparison!.method, "welch");
      assert.equal(pair.comparison!.noise, expected.noise);
    }
    // A comment-only change on a busy 2-core VM: every difference is noise.
    assert.deepEqual(
      table.rows.map((r) => r[noise]),
      [NOISE_MARK, NOISE_MARK, NOISE_MARK, NOISE_MARK]
    );
    assert.match(table.notes.join("\n"), /Welch/);
  });

  it("prints a Markdown pipe table and an aligned terminal table", () => {
    const md = formatMarkdown(result).split("\n");
    assert.match(md[0], /^\| Test \| t\/s de3ff81 \| t\/s d063b52 \| Speedup \| 95% CI \| Noise \|$/);
    assert.equal(md[1], "|:---|---:|---:|---:|:---|:---|");
    assert.equal(md.filter((l) => l.startsWith("| ")).length, 5);
    const term = formatTerminal(result).split("\n");
    const tableLines = term.slice(0, 6);
    assert.equal(new Set(tableLines.map((l) => l.indexOf("Speedup") >= 0 || /\d\.\d\d  /.test(l))).size >= 1, true);
    // The CI column: an interval, or "unbounded" where the first build's mean cannot be told from zero (sd ≈ mean on this noisy CPU).
    const ends = tableLines
      .slice(2)
      .map((l) => l.search(/\d+\.\d\d(?=  (\[|unbounded))/) + l.match(/\d+\.\d\d(?=  (\[|unbounded))/)![0].length);
    assert.equal(new Set(ends).size, 1, "the Speedup column is right-aligned");
  });

  it("averages several rows of one side without weights, as compare-llama-bench does", () => {
    const both = compareRows(a, rows, {a: "a", b: "both"});
    const tg = both.pairs.find((p) => p.key.test === "tg16")!;
    const values = rows.filter((r) => r.test === "tg16" && r.metric === "throughput").map((r) => r.value as number);
    assert.equal(tg.b!.n_rows, 2);
    assert.equal(tg.b!.value, (values[0] + values[1]) / 2);
    assert.equal(tg.b!.repetitions, 2);
  });
});

describe("compare on the bundled store", () => {
  const rows = storeRows(new Store(join(REPO, "data")));

  it("layer against tensor split: a pair per model and test, ±1 sd without repetition counts", () => {
    // The writeup's runs: data/ also holds runs on one GPU, whose split mode is llama-bench's default (layer).
    const a = selectRows(rows, parseSelector("split_mode=layer,tag.writeup=4x3080-layer-vs-tensor"));
    const b = selectRows(rows, parseSelector("split_mode=tensor,tag.writeup=4x3080-layer-vs-tensor"));
    const result = compareRows(a, b, {a: "layer", b: "tensor"});
    const pairs = result.pairs.filter((p) => p.a && p.b);
    assert.equal(pairs.length, 8);
    const tg = pairs.find((p) => p.key.model_label === "Mistral-Medium-3.5-128B-IQ4_XS" && p.key.test === "tg128")!;
    assert.equal(fixed2(tg.comparison!.ratio), (21.59 / 10.37).toFixed(2));
    assert.equal(tg.comparison!.method, "sd-overlap");
    const table = buildTable(result);
    assert.deepEqual(
      table.header.slice(0, 2),
      ["Model", "Test"],
      "model and test tell the rows apart; model_file follows the model"
    );
    assert.deepEqual(table.header.slice(-5), ["Speedup", "±1 sd", "Noise", "A % of limit", "B % of limit"]);
    assert.deepEqual(result.varying.sort(), ["model", "model_file", "n_depth", "n_gen", "n_prompt"]);
  });

  it("a sweep within each side joins the key (-ub 32,64 × -t 1,2)", () => {
    const sweep = storeRows(storeOf(["captured/cpu/llama-bench-sweep-jsonl.stdout"]));
    const result = compareRows(
      selectRows(sweep, parseSelector("n_ubatch=32")),
      selectRows(sweep, parseSelector("n_ubatch=64")),
      {a: "ub32", b: "ub64"}
    );
    assert.ok(result.varying.includes("n_threads"));
    assert.ok(!result.varying.includes("n_ubatch"), "what tells A from B is not keyed on");
    const paired = result.pairs.filter((p) => p.a && p.b);
    assert.equal(paired.length, 4, "pp and tg at 1 and 2 threads");
    assert.ok(paired.every((p) => p.a!.n_rows === 1 && p.b!.n_rows === 1));
    assert.equal(result.a.label, "32");
  });

  it("explicit --by pairs different models (runtimes at depth)", async () => {
    const out = await cli([
      "compare",
      "runtime=sglang",
      "runtime=vllm",
      "--by",
      "test,metric,stat,unit",
      "--store",
      join(REPO, "data"),
      "--json"
    ]);
    assert.equal(out.code, 0, out.stderr);
    const json = JSON.parse(out.stdout) as {
      pairs: {key: Record<string, string>; speedup: string; method: string; a: {value: number}; b: {value: number}}[];
      a: {label: string};
    };
    const deep = json.pairs.find((p) => p.key.test === "tg32 @ d32768" && p.key.stat === "mean")!;
    assert.equal(deep.speedup, fixed2(deep.b.value / deep.a.value));
    assert.equal(deep.method, "welch");
    assert.equal(json.a.label, "sglang");
  });
});

describe("benchbook compare (CLI)", () => {
  const store = storeOf(BUILDS);
  it("prints the table, Markdown or JSON; refuses bad arguments", async () => {
    const term = await cli(["compare", "build_commit=de3ff81", "build_commit=d063b52", "--store", store.root]);
    assert.equal(term.code, 0, term.stderr);
    assert.match(term.stdout, /^Test +t\/s de3ff81 +t\/s d063b52 +Speedup/);
    const md = await cli([
      "compare",
      "build_commit=de3ff81",
      "build_commit=d063b52",
      "--store",
      store.root,
      "--markdown"
    ]);
    assert.match(md.stdout, /^\| Test \|/);
    assert.equal((await cli(["compare", "build_commit=de3ff81", "--store", store.root])).code, 2);
    assert.equal((await cli(["compare", "a", "b", "--markdown", "--json", "--store", store.root])).code, 2);
    assert.equal((await cli(["compare", "bogus=1", "build_commit=de3ff81", "--store", store.root])).code, 2);
    const none = await cli(["compare", "build_commit=ffffff", "build_commit=de3ff81", "--store", store.root]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /A \(build_commit=ffffff\) selects no results/);
    const metric = await cli([
      "compare",
      "build_commit=de3ff81",
      "build_commit=d063b52",
      "--metric",
      "duration",
      "--store",
      store.root,
      "--json"
    ]);
    const json = JSON.parse(metric.stdout) as {metrics: string[]; pairs: {key: {unit: string}}[]};
    assert.deepEqual(json.metrics, ["duration"]);
    assert.ok(json.pairs.every((p) => p.key.unit === "ns"));
  });

  it("--by test pairs an old build's `pp 64` / `tg 16` with today's pp64 / tg16", async () => {
    const mixed = storeOf(["llama-bench/readme-b5163/md-threads.md", BUILDS[0]]);
    const out = await cli([
      "compare",
      "format=llama-bench-md,n_threads=2",
      "build_commit=de3ff81",
      "--by",
      "test,metric",
      "--store",
      mixed.root,
      "--json"
    ]);
    assert.equal(out.code, 0, out.stderr);
    const json = JSON.parse(out.stdout) as {
      pairs: {key: {test: string}; a: {value: number} | null; b: {value: number} | null}[];
    };
    // The README's table prints `pp 64 | 12.31 ± 0.13` and `tg 16 | 7.80 ± 0.07` on its threads=2 rows.
    assert.deepEqual(
      json.pairs.filter((p) => p.a && p.b).map((p) => [p.key.test, p.a!.value]),
      [
        ["pp64", 12.31],
        ["tg16", 7.8]
      ]
    );
  });
});

describe("% of limit", () => {
  it("shows each side's share of its hardware's limit: seed 000's layer vs tensor split on 4× RTX 3080 20GB", () => {
    const rows = storeRows(new Store(join(REPO, "data")));
    const side = (mode: string) =>
      selectRows(rows, parseSelector(`split_mode=${mode},tag.writeup=4x3080-layer-vs-tensor,architecture=mistral3`));
    const result = compareRows(side("layer"), side("tensor"), {a: "layer", b: "tensor"});
    const tg = result.pairs.find((p) => p.key.test === "tg128")!;
    // 10.37 and 21.59 t/s × 62.51 GiB ÷ (4 × 760.3 GB/s), by hand.
    assert.ok(Math.abs(tg.a!.limit_util! - (10.37 * 62.51 * 2 ** 30) / 3041.2e9) < 1e-12);
    assert.ok(Math.abs(tg.b!.limit_util! - (21.59 * 62.51 * 2 ** 30) / 3041.2e9) < 1e-12);
    assert.equal(result.pairs.find((p) => p.key.test === "tg128 @ d16384")!.a!.limit_util, null); // cache shape unknown
    const table = buildTable(result);
    const at = (name: string) => table.header.indexOf(name);
    const row = table.rows.find((r) => r[at("Test")] === "tg128")!;
    assert.deepEqual([row[at("A % of limit")], row[at("B % of limit")]], ["22.9%", "47.6%"]);
    assert.match(formatMarkdown(result), /\| A % of limit \| B % of limit \|/);
    assert.match(formatTerminal(result), /% of limit: tg throughput × bytes per token/);
  });

  it("adds no columns where no value has a limit (CPU builds)", () => {
    const rows = storeRows(storeOf(BUILDS));
    const result = compareRows(
      selectRows(rows, parseSelector("build_commit=de3ff81")),
      selectRows(rows, parseSelector("build_commit=d063b52")),
      {a: "a", b: "b"}
    );
    assert.ok(!buildTable(result).header.some((h) => h.includes("limit")));
  });
});
