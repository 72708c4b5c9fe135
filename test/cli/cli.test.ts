import assert from "node:assert/strict";
import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {COMMANDS} from "../../scripts/cli/main.js";
import {cli, tempDir} from "../helpers/cli.js";
import {fixturePath, fixtureText} from "../helpers/fixtures.js";

describe("benchbook CLI", () => {
  it("every command answers --help with its usage and exits 0", async () => {
    for (const entry of COMMANDS) {
      const {code, stdout} = await cli([entry.name, "--help"]);
      assert.equal(code, 0, entry.name);
      assert.match(stdout, new RegExp(`Usage: benchbook ${entry.name}`), entry.name);
      // The table lists each command without loading it: its name and summary must be the module's.
      const command = await entry.load();
      assert.deepEqual([command.name, command.summary], [entry.name, entry.summary]);
    }
    const top = await cli(["--help"]);
    assert.equal(top.code, 0);
    for (const command of COMMANDS) assert.ok(top.stdout.includes(command.name));
  });

  it("refuses unknown commands and options with exit status 2", async () => {
    assert.equal((await cli(["frobnicate"])).code, 2);
    const {code, stderr} = await cli(["import", "--tags", "a=b", "x"]);
    assert.equal(code, 2);
    assert.match(stderr, /unknown option --tags/);
  });

  it("checks option values at the boundary: a usage error (exit 2) listing the choices, before any input is read", async () => {
    const parse = await cli(["parse", "--format", "nosuch", fixturePath("seeds/000-4x3080-split.txt")]);
    assert.equal(parse.code, 2);
    assert.match(
      parse.stderr,
      /^benchbook parse: invalid --format: "nosuch"; expected one of: benchbook-endpoint-json, llama-bench-md, /
    );
    assert.doesNotMatch(parse.stderr, /\n\s+at /);
    const dir = tempDir();
    const imported = await cli([
      "import",
      "--store",
      dir,
      "--format",
      "nosuch",
      fixturePath("seeds/000-4x3080-split.txt")
    ]);
    assert.equal(imported.code, 2);
    assert.match(imported.stderr, /invalid --format: "nosuch"/);
    const compare = await cli(["compare", "--store", dir, "--by", "model_label,tset", "a", "b"]);
    assert.equal(compare.code, 2);
    assert.match(compare.stderr, /invalid --by: "tset"; expected one of: .*\btest\b.*, or tag\.NAME or setting\.NAME/);
    // Case does not matter; the choice comes back as listed.
    assert.equal(
      (await cli(["parse", "--json", "--format", "LLAMA-BENCH-MD", fixturePath("captured/cpu/llama-bench-md.stdout")]))
        .code,
      0
    );
  });

  it("parse --json prints one object per measured value with the documented fields", async () => {
    const {code, stdout} = await cli(["parse", "--json", fixturePath("seeds/000-4x3080-split.txt")]);
    assert.equal(code, 0);
    const rows = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const llamaBench = rows.filter((r) => r.tool === "llama-bench");
    assert.equal(llamaBench.length, 16);
    for (const key of [
      "tool",
      "model",
      "test",
      "n_prompt",
      "n_gen",
      "n_depth",
      "metric",
      "unit",
      "value",
      "stddev",
      "file",
      "line",
      "stat",
      "stddev_kind",
      "hardware",
      "settings",
      "run_id"
    ]) {
      assert.ok(key in llamaBench[0], key);
    }
    assert.deepEqual(
      [
        llamaBench[2].test,
        llamaBench[2].n_depth,
        llamaBench[2].value,
        llamaBench[2].stddev,
        llamaBench[2].model,
        llamaBench[2].line
      ],
      ["pp512 @ d16384", 16384, 216.76, 0.26, "mistral3 ?B IQ4_XS - 4.25 bpw", 1]
    );
    assert.ok(!("imported_at" in llamaBench[0]));
  });

  it("parse reads stdin with -", async () => {
    const {code, stdout} = await cli(["parse", "--json", "-"], {
      stdin: fixtureText("captured/cpu/llama-bench-md.stdout")
    });
    assert.equal(code, 0);
    const rows = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(rows.length, 4);
    assert.equal(rows[0].file, "-");
  });

  it("parse --explain accounts for every line", async () => {
    const {stdout} = await cli(["parse", "--explain", fixturePath("captured/cpu/llama-bench-md.stdout")]);
    assert.match(stdout, /lines 1-8 {2}block {2}llama-bench-md/);
  });

  it("import: imports, is idempotent, lists failures with file and line, exits 1 if any failed", async () => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, "bad.md"),
      "| model | size | params | backend | test | t/s |\n|-|-|-|-|-|-|\n| m | 1 GiB | 1 B | CPU | pp512 | oops |\n"
    );
    const first = await cli(
      ["import", "--tag", "writeup=test", fixturePath("captured/cpu/llama-bench-md.stdout"), "bad.md"],
      {cwd}
    );
    assert.equal(first.code, 1);
    assert.match(first.stdout, /imported {2}.*llama-bench-md\.stdout: 1 run, 4 results \(llama-bench-md\)/);
    assert.match(first.stderr, /failed {4}bad\.md: line 3: llama-bench-md: expected a t\/s cell/);
    assert.match(first.stdout, /1 of 2 inputs in the store; 1 failed: bad\.md/);
    const again = await cli(["import", fixturePath("captured/cpu/llama-bench-md.stdout")], {cwd});
    assert.equal(again.code, 0);
    assert.match(again.stdout, /unchanged .*already in the store \(1 runs\), nothing added/);
    const list = await cli(["list", "--json"], {cwd});
    const runs = JSON.parse(list.stdout);
    assert.equal(runs.length, 1);
    assert.deepEqual(runs[0].tags, {writeup: "test"});
    assert.equal(runs[0].results, 4);
    const table = await cli(["list"], {cwd});
    assert.match(table.stdout, /^id +source +tool +model +hardware +date +results/);
    assert.match(table.stdout, /1 runs, 4 results/);
  });

  it("import --dry-run writes nothing", async () => {
    const cwd = tempDir();
    const {code, stdout} = await cli(["import", "--dry-run", fixturePath("captured/cpu/llama-bench-md.stdout")], {cwd});
    assert.equal(code, 0);
    assert.match(stdout, /would import/);
    assert.equal((await cli(["list", "--json"], {cwd})).stdout.trim(), "[]");
  });

  it("a cut-off last table row: parse and import warn naming the line and keep the complete rows; --strict refuses and writes nothing", async () => {
    const dir = tempDir();
    const lines = fixtureText("captured/cpu/llama-bench-md.stdout").split("\n");
    const last = lines.findIndex((l) => l.includes("tg16 @ d256"));
    const file = join(dir, "cut.md");
    writeFileSync(file, [...lines.slice(0, last), lines[last].slice(0, 60)].join("\n"));
    const parsed = await cli(["parse", file, "--json"]);
    assert.equal(parsed.code, 0, parsed.stderr);
    assert.equal(parsed.stdout.trim().split("\n").length, 3);
    assert.match(
      parsed.stderr,
      new RegExp(`^warning: .*cut\\.md: llama-bench-md: line ${last + 1} not read: a cut-off last table row`, "m")
    );
    const strictParse = await cli(["parse", file, "--strict"]);
    assert.equal(strictParse.code, 1);
    assert.match(
      strictParse.stderr,
      new RegExp(`cut\\.md: line ${last + 1}: llama-bench-md: a cut-off last table row`)
    );
    const store = join(dir, "store");
    const strictImport = await cli(["import", file, "--strict", "--store", store, "--json"]);
    assert.equal(strictImport.code, 1);
    assert.equal((JSON.parse(strictImport.stdout) as {status: string}[])[0].status, "failed");
    const imported = await cli(["import", file, "--store", store, "--json"]);
    assert.equal(imported.code, 0, imported.stderr);
    const [outcome] = JSON.parse(imported.stdout) as {status: string; results: number; warnings: string[]}[];
    assert.equal(outcome.status, "imported");
    assert.equal(outcome.results, 3);
    assert.equal(outcome.warnings.length, 1);
    assert.match(outcome.warnings[0], new RegExp(`line ${last + 1} not read`));
  });

  it("import names a missing file", async () => {
    const {code, stderr} = await cli(["import", "no-such-file.txt"], {cwd: tempDir()});
    assert.equal(code, 2);
    assert.match(stderr, /no-such-file\.txt: no such file or directory/);
  });

  it("import refuses bytes that are not text", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "blob.bin"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00, 0xc3]));
    const {code, stderr} = await cli(["import", "blob.bin"], {cwd});
    assert.equal(code, 1);
    assert.match(stderr, /blob\.bin: line 1: expected UTF-8 text/);
  });
});
