import assert from "node:assert/strict";
import {existsSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {fileURLToPath} from "node:url";
import {cli, tempDir} from "../helpers/cli.js";

const PLAN = fileURLToPath(new URL("../../docs/plans/rtx4090-depth-sweeps.yaml", import.meta.url));

describe("benchbook bench --slurm (no cluster needed)", () => {
  it("--dry-run prints the cells and the sbatch script, and writes nothing", async () => {
    const store = join(tempDir(), "data");
    const result = await cli([
      "bench",
      PLAN,
      "--slurm",
      "--dry-run",
      "--partition",
      "gpu",
      "--gres",
      "gpu:1",
      "--time",
      "2:00:00",
      "--array-parallelism",
      "4",
      "--only",
      "d=0",
      "--tag",
      "rig=4090",
      "--store",
      store
    ]);
    assert.equal(result.code, 0, result.stderr);
    const cells = result.stdout.split("\n").filter((l) => /^# {3}[0-9a-f]{16,} /.test(l));
    assert.equal(cells.length, 6);
    assert.match(result.stdout, /^#SBATCH --array=0-5%4$/m);
    assert.match(result.stdout, /^#SBATCH --partition=gpu$/m);
    assert.match(result.stdout, /^#SBATCH --gres=gpu:1$/m);
    assert.match(result.stdout, /^#SBATCH --time=2:00:00$/m);
    const exec = result.stdout.split("\n").find((l) => l.startsWith("exec "))!;
    assert.match(
      exec,
      /bin\/benchbook\.js bench \S+rtx4090-depth-sweeps\.yaml --store \S+ --slurm-task \S+\/cells\.txt --tag rig\\?=4090$/
    );
    assert.equal(existsSync(store), false);
  });

  it("refuses Slurm options without --slurm, and a bad value with the option's name", async () => {
    const without = await cli(["bench", PLAN, "--dry-run", "--gres", "gpu:1"]);
    assert.equal(without.code, 2);
    assert.match(without.stderr, /--gres is an option of --slurm/);
    const bad = await cli(["bench", PLAN, "--slurm", "--dry-run", "--time", "tomorrow"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--time: expected minutes/);
  });

  it("--slurm-task outside a Slurm task says so", async () => {
    const result = await cli(["bench", PLAN, "--slurm-task", "/nonexistent/cells.txt"], {
      env: {SLURM_ARRAY_TASK_ID: ""}
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /--slurm-task runs inside a Slurm array task: SLURM_ARRAY_TASK_ID is not set/);
  });
});
