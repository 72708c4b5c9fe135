// The bundled CLI (scripts/cli/bundle.mjs) runs with plain Node.js and no
// node_modules: the way docs/real-gpu.md runs benchbook on a GPU machine.
import assert from "node:assert/strict";
import {execFileSync, spawnSync} from "node:child_process";
import {copyFileSync, mkdirSync} from "node:fs";
import {join} from "node:path";
import {before, describe, it} from "node:test";
import {fileURLToPath} from "node:url";
import {tempDir} from "../helpers/cli.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("benchbook bundled", () => {
  // Outside the checkout, so that nothing can be resolved from its node_modules.
  const dir = tempDir("benchbook-bundle-");
  const bundle = join(dir, "benchbook", "benchbook.mjs");
  const run = (args: string[]) => spawnSync(process.execPath, [bundle, ...args], {cwd: dir, encoding: "utf8"});

  before(() => {
    execFileSync(process.execPath, ["scripts/cli/bundle.mjs", "--out", join(dir, "benchbook")], {cwd: ROOT});
    mkdirSync(join(dir, "plans"));
    copyFileSync(join(ROOT, "scripts/gpu-run/plans/h100-depth-fa.yaml"), join(dir, "plans/plan.yaml"));
  });

  it("prints bench's help", () => {
    const r = run(["bench", "--help"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Usage: benchbook bench PLAN\.yaml/);
  });

  it("plans the H100 run: 16 cells with their llama-bench commands", () => {
    const r = run(["bench", "plans/plan.yaml", "--dry-run"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^# plan "h100-depth-fa" \(sha256 [0-9a-f]{12}\): 16 cells$/m);
    assert.match(
      r.stdout,
      /^\.\/build\/bin\/llama-bench -m models\/random-1\.5B-Q8_0\.gguf -p 512 -n 128 -d 32768 -r 3 -ngl 99 -fa 1 -o jsonl$/m
    );
  });

  it("answers --version from package.json", () => {
    const r = run(["--version"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^benchbook \d+\.\d+\.\d+/);
  });

  it("a command that needs DuckDB names the missing package", () => {
    const r = run(["export", "--store", join(dir, "store")]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /@duckdb\/node-api/);
  });
});
