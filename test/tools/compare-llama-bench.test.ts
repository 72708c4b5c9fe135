/**
 * `benchbook compare` against llama.cpp's own scripts/compare-llama-bench.py,
 * run for real on two llama-bench outputs of two builds
 * (test/fixtures/compare/, README there): the Speedup column must be the
 * same, row by row, and benchbook adds the noise marks.
 *
 * Needs Python 3 with GitPython and tabulate: Debian's python3-git and
 * python3-tabulate (`apt-get install -y python3-git python3-tabulate`, which
 * .ci/run does), found as /usr/bin/python3 or $BENCHBOOK_PYTHON. The script
 * comes from the llama.cpp source that scripts/llama/build-cpu.sh clones
 * ($BENCHBOOK_LLAMA_BIN/../../src, else build-cpu.sh's cache).
 */
import assert from "node:assert/strict";
import {execFileSync, spawnSync} from "node:child_process";
import {copyFileSync, existsSync, mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, describe, it} from "node:test";
import {importInputs} from "../../scripts/import/import.js";
import {Store} from "../../scripts/store/store.js";
import {cli} from "../helpers/cli.js";
import {fixturePath, fixtureText} from "../helpers/fixtures.js";

const PYTHON = process.env.BENCHBOOK_PYTHON ?? "/usr/bin/python3";
const FILES = ["llama-bench-de3ff81.json", "llama-bench-d063b52.json"];

function llamaBin(): string {
  if (process.env.BENCHBOOK_LLAMA_BIN) return process.env.BENCHBOOK_LLAMA_BIN;
  const out = execFileSync("bash", ["scripts/llama/build-cpu.sh"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"]
  });
  return out.trim().split("\n").at(-1)!;
}

/** A pipe table (tabulate's or ours) as header → cell objects. */
function pipeTable(text: string): Record<string, string>[] {
  const lines = text.split("\n").filter((l) => l.startsWith("|"));
  const cells = (l: string) =>
    l
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim());
  const header = cells(lines[0]);
  return lines.slice(2).map((l) => Object.fromEntries(cells(l).map((c, i) => [header[i], c])));
}

describe("benchbook compare reproduces compare-llama-bench.py", () => {
  const work = mkdtempSync(join(tmpdir(), "benchbook-compare-llama-"));
  after(() => rmSync(work, {recursive: true, force: true}));

  it("prints the same Speedup column for two llama-bench builds, and marks noise", async () => {
    const python = spawnSync(PYTHON, ["-c", "import git, tabulate"], {encoding: "utf8"});
    assert.equal(
      python.status,
      0,
      `${PYTHON} cannot import GitPython and tabulate (apt-get install -y python3-git python3-tabulate): ${python.stderr ?? python.error}`
    );
    const script = join(llamaBin(), "../../src/scripts/compare-llama-bench.py");
    assert.ok(existsSync(script), `no ${script}`);

    // A scratch directory outside any git repository: the script then needs -b and -c.
    for (const f of FILES) copyFileSync(fixturePath(`compare/${f}`), join(work, f));
    assert.notEqual(
      spawnSync("git", ["rev-parse", "--git-dir"], {cwd: work}).status,
      0,
      "the scratch directory must not be inside a git repository"
    );
    const theirs = spawnSync(
      PYTHON,
      [script, "-t", "llama-bench", "-i", FILES[0], "-i", FILES[1], "-b", "de3ff81", "-c", "d063b52", "-o", "pipe"],
      {cwd: work, encoding: "utf8"}
    );
    assert.equal(theirs.status, 0, theirs.stderr);
    const reference = pipeTable(theirs.stdout);
    assert.equal(reference.length, 4, theirs.stdout);

    const store = new Store(join(work, "store"));
    for (const f of FILES)
      importInputs([{name: f, bytes: Buffer.from(fixtureText(`compare/${f}`))}], {store, tags: {}});
    const ours = await cli([
      "compare",
      "build_commit=de3ff81",
      "build_commit=d063b52",
      "--markdown",
      "--store",
      store.root
    ]);
    assert.equal(ours.code, 0, ours.stderr);
    const table = pipeTable(ours.stdout);

    // Same tests, same Speedup, row by row (their test names have no spaces: pp64@d256).
    const byTest = new Map(table.map((r) => [r.Test.replace(/\s+/g, ""), r]));
    assert.deepEqual([...byTest.keys()].sort(), reference.map((r) => r.Test).sort());
    for (const r of reference) {
      assert.equal(
        byTest.get(r.Test)!.Speedup,
        r.Speedup,
        `${r.Test}: ours ${byTest.get(r.Test)!.Speedup}, compare-llama-bench.py ${r.Speedup}`
      );
    }
    // Their column headers name the builds; ours do too.
    assert.ok("t/s de3ff81" in table[0] && "t/s d063b52" in table[0] && "t/s de3ff81" in reference[0]);

    // The noise marks, from the same data as JSON: ≈ exactly where Welch's test finds no difference.
    const json = JSON.parse(
      (await cli(["compare", "build_commit=de3ff81", "build_commit=d063b52", "--json", "--store", store.root])).stdout
    ) as {pairs: {key: {test: string}; noise: boolean; method: string; speedup: string}[]};
    for (const p of json.pairs) {
      assert.equal(p.method, "welch");
      assert.equal(byTest.get(p.key.test.replace(/\s+/g, ""))!.Noise, p.noise ? "≈" : "", p.key.test);
    }
    assert.ok(
      json.pairs.some((p) => p.noise),
      "identical code on a busy machine: noise is marked"
    );
    assert.match(ours.stdout, /≈ = within noise by Welch's t-test/);
  });
});
