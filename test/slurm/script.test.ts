import assert from "node:assert/strict";
import {execFileSync} from "node:child_process";
import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {describe, it} from "node:test";
import {jobName, sbatchScript, slurmOptions} from "../../scripts/slurm/script.js";
import {tempDir} from "../helpers/cli.js";

describe("sbatch script", () => {
  it("passes every argument to the task unchanged, whatever the shell would make of it", () => {
    const dir = tempDir();
    const hostile = [
      "/tmp/a dir/$(touch pwned)/plan.yaml",
      "--tag",
      "note=`id`; rm -rf ~ \"x\" 'y' $HOME *",
      "--store",
      "/tmp/store with spaces"
    ];
    const script = sbatchScript({
      name: "benchbook-x",
      tasks: 3,
      dir,
      cellsFile: join(dir, "cells.txt"),
      cwd: dir,
      taskArgv: ["printf", "%s\\n", ...hostile],
      options: {}
    });
    writeFileSync(join(dir, "job.sbatch"), script);
    const printed = execFileSync("bash", [join(dir, "job.sbatch")], {cwd: dir, encoding: "utf8"});
    assert.deepEqual(printed.split("\n").slice(0, -1), hostile);
  });

  it("writes the array, log, working directory and the options as #SBATCH lines", () => {
    const script = sbatchScript({
      name: "benchbook-sweep",
      tasks: 4,
      dir: "/s/slurm/j",
      cellsFile: "/s/slurm/j/cells.txt",
      cwd: "/work",
      taskArgv: ["node", "bin/benchbook.js"],
      options: {partition: "gpu", gres: "gpu:2", time: "1:00:00", arrayParallelism: 2}
    });
    const directives = script.split("\n").filter((l) => l.startsWith("#SBATCH"));
    assert.deepEqual(directives, [
      "#SBATCH --job-name=benchbook-sweep",
      "#SBATCH --array=0-3%2",
      "#SBATCH --output=/s/slurm/j/task-%a.log",
      "#SBATCH --chdir=/work",
      "#SBATCH --partition=gpu",
      "#SBATCH --gres=gpu:2",
      "#SBATCH --time=1:00:00"
    ]);
  });

  it("checks option values at the boundary", () => {
    assert.deepEqual(
      slurmOptions({partition: "gpu", gres: "gpu:a100:2", time: "1-02:00:00", "array-parallelism": "4"}),
      {partition: "gpu", gres: "gpu:a100:2", time: "1-02:00:00", arrayParallelism: 4}
    );
    assert.throws(() => slurmOptions({partition: "gpu\n#SBATCH --uid=0"}), /--partition: invalid value/);
    assert.throws(() => slurmOptions({time: "soon"}), /--time: expected minutes/);
    assert.throws(() => slurmOptions({"array-parallelism": "0"}), /--array-parallelism: expected a positive integer/);
  });

  it("names the job after the plan", () => {
    assert.equal(jobName("4x3080 split modes / v2"), "benchbook-4x3080-split-modes-v2");
  });
});
