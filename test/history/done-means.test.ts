/**
 * Issue 17's "done means": a store of 12 builds × 5 repetitions (real
 * llama-bench JSONL records, imported with `benchbook import`), where a 4%
 * tg drop at one build is flagged as a regression at that build, a 10% pp
 * gain at another as an improvement, a noise-only series (CV 1%) flags
 * nothing, and `--fail-on 'regression>=3%'` exits 1 only for the first.
 */
import assert from "node:assert/strict";
import {mkdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {cli, tempDir} from "../helpers/cli.js";
import {buildOutput, commitOf, type Test} from "./llama-bench-builds.js";

const BUILDS = 12;
const TG_DROP = 8; // the tg regression lands at the 9th build
const PP_GAIN = 4; // the pp improvement at the 5th
const TESTS: Test[] = [
  {n_prompt: 64, n_gen: 0, n_depth: 0, level: (b) => (b >= PP_GAIN ? 1100 : 1000)},
  {n_prompt: 0, n_gen: 16, n_depth: 0, level: (b) => (b >= TG_DROP ? 96 : 100)},
  {n_prompt: 0, n_gen: 16, n_depth: 256, level: () => 80}
];

async function store(seed: number): Promise<string> {
  const dir = tempDir("benchbook-history-");
  const outputs = join(dir, "outputs");
  mkdirSync(outputs);
  for (let b = 0; b < BUILDS; b++)
    writeFileSync(join(outputs, `build-${String(b).padStart(2, "0")}.jsonl`), buildOutput(b, TESTS, {seed}));
  const imported = await cli(["import", outputs, "--store", join(dir, "data")]);
  assert.equal(imported.code, 0, imported.stderr);
  return join(dir, "data");
}

interface Flagged {
  series: Record<string, string | null>;
  build_commit: string;
  build_number: number;
  direction: string;
  ratio: number;
  low: number;
  high: number;
}

const lines = (text: string) =>
  text
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Flagged);

for (const seed of [1, 2, 3]) {
  describe(`12 builds × 5 repetitions (noise seed ${seed})`, async () => {
    const data = await store(seed);

    it("flags the tg drop as a regression and the pp gain as an improvement at their builds, and nothing in the noise-only series", async () => {
      const {code, stdout, stderr} = await cli(["history", "--json", "--store", data]);
      assert.equal(code, 0, stderr);
      const flagged = lines(stdout);
      assert.deepEqual(
        flagged.map((f) => [f.series.test, f.direction, f.build_commit, f.build_number]),
        [
          ["pp64", "improvement", commitOf(PP_GAIN), 1000 + PP_GAIN],
          ["tg16", "regression", commitOf(TG_DROP), 1000 + TG_DROP]
        ].sort((a, b) => String(a[0]).localeCompare(String(b[0])))
      );
      const tg = flagged.find((f) => f.series.test === "tg16")!;
      assert.ok(
        Math.abs(tg.ratio - 0.96) < 0.01 && tg.low < tg.ratio && tg.ratio < tg.high && tg.high < 1,
        JSON.stringify(tg)
      );
      const pp = flagged.find((f) => f.series.test === "pp64")!;
      assert.ok(Math.abs(pp.ratio - 1.1) < 0.02 && pp.low > 1, JSON.stringify(pp));
      assert.equal(tg.series.metric, "throughput");
      assert.equal(tg.series["setting.n_threads"], "2");
    });

    it("--fail-on 'regression>=3%' exits 1 for the tg drop only", async () => {
      const all = await cli(["history", "--fail-on", "regression>=3%", "--store", data]);
      assert.equal(all.code, 1);
      assert.match(all.stderr, /1 change:\n.*tg16 throughput: regression/);
      for (const selector of ["test=pp64", "test=tg16 @ d256"]) {
        const other = await cli(["history", selector, "--fail-on", "regression>=3%", "--store", data]);
        assert.equal(other.code, 0, `${selector}: ${other.stderr}`);
      }
      assert.equal(
        (await cli(["history", "test=tg16", "--fail-on", "regression>=5%", "--store", data])).code,
        0,
        "a 4% drop is not a 5% one"
      );
    });
  });
}
