/**
 * `benchbook bench --slurm` through a real single-node Slurm
 * (scripts/slurm/local-cluster.sh: munge, MariaDB, slurmdbd, slurmctld,
 * slurmd) and a real CPU llama-bench: a 4-cell plan as one job array, one
 * task cancelled while pending, that task recorded from sacct as a failed
 * cell, then `--resume` submitting only that cell.
 */
import assert from "node:assert/strict";
import {execFileSync, spawn} from "node:child_process";
import {existsSync, mkdirSync, writeFileSync} from "node:fs";
import {hostname, tmpdir} from "node:os";
import {join} from "node:path";
import {describe, it} from "node:test";
import {fileURLToPath} from "node:url";
import {Store} from "../../scripts/store/store.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

function llamaBin(): string {
  if (process.env.BENCHBOOK_LLAMA_BIN) return process.env.BENCHBOOK_LLAMA_BIN;
  return execFileSync("bash", ["scripts/llama/build-cpu.sh"], {
    cwd: REPO,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"]
  })
    .trim()
    .split("\n")
    .at(-1)!;
}

interface Event {
  event: string;
  job_id?: string;
  state?: {job_id: string; state: string; node: string | null};
  recorded?: boolean;
  cell?: {id: string; label: string};
  submitted?: number;
  completed?: number;
  failed?: number;
  skipped?: number;
}

/** `benchbook bench … --json` as a child process; `onEvent` sees each event as it is printed. */
function bench(
  args: string[],
  cwd: string,
  onEvent: (e: Event) => void = () => {}
): Promise<{code: number | null; events: Event[]; stderr: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO, "bin/benchbook.js"), "bench", ...args, "--json"], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"]
    });
    const events: Event[] = [];
    let buffer = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      buffer += chunk;
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      for (const line of lines.filter(Boolean)) {
        const event = JSON.parse(line) as Event;
        events.push(event);
        onEvent(event);
      }
    });
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({code, events, stderr}));
  });
}

describe("benchbook bench --slurm on a real Slurm", async () => {
  execFileSync("bash", ["scripts/slurm/local-cluster.sh"], {cwd: REPO, stdio: ["ignore", "inherit", "inherit"]});
  const bin = llamaBin();
  const work = join(tmpdir(), `benchbook-slurm-${process.pid}`);
  mkdirSync(work, {recursive: true});
  const model = join(work, "tiny.gguf");
  execFileSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "scripts/llama/make-tiny-gguf.ts",
      "--vocab",
      join(bin, "../../src/models/ggml-vocab-llama-spm.gguf"),
      "--out",
      model
    ],
    {cwd: REPO, stdio: "ignore"}
  );
  writeFileSync(
    join(work, "plan.yaml"),
    `name: tools-slurm
runner: llama-bench
binary: ${join(bin, "llama-bench")}
models: [${model}]
matrix:
  -t: 1
  -ub: 32,64
tests:
  p: 64
  n: 16
  d: 0,256
repetitions: 2
timeout_s: 120
`
  );
  const data = join(work, "data");

  // Task 3 waits behind the others (one task at a time) and is cancelled before it starts.
  const first = await bench(
    ["plan.yaml", "--slurm", "--wait", "--array-parallelism", "1", "--store", data],
    work,
    (event) => {
      if (event.event === "slurm-submitted") execFileSync("scancel", [`${event.job_id}_3`]);
    }
  );
  const ends = first.events.filter((e) => e.event === "slurm-task-end");

  it("runs the cells as one job array and records the cancelled task from sacct", () => {
    assert.equal(first.code, 1, first.stderr);
    assert.deepEqual(
      ends.map((e) => [e.state!.state, e.recorded]),
      [
        ["COMPLETED", false],
        ["COMPLETED", false],
        ["COMPLETED", false],
        ["CANCELLED", true]
      ]
    );
    const end = first.events.at(-1)!;
    assert.deepEqual([end.event, end.submitted, end.completed, end.failed], ["end", 4, 3, 1]);
  });

  it("stores each task's run with the node it ran on, and the cancelled cell as failed results", () => {
    const runs = [...new Store(data).readAll()].flatMap((input) => input.runs);
    const slurmOf = (run: (typeof runs)[number]) =>
      (run.extra?.capture as {scheduler?: {node: string | null; failure?: boolean; state?: string; task: number}})
        .scheduler!;
    const ok = runs.filter((run) => !slurmOf(run).failure);
    assert.equal(ok.length, 3);
    for (const run of ok) {
      assert.equal(slurmOf(run).node, hostname().split(".")[0]);
      assert.ok(run.results.length > 0 && run.results.every((r) => r.status === "ok"), run.id);
    }
    const failed = runs.filter((run) => slurmOf(run).failure);
    assert.equal(failed.length, 1);
    assert.equal(slurmOf(failed[0]).state, "CANCELLED");
    assert.ok(failed[0].results.length > 0 && failed[0].results.every((r) => r.status === "error" && r.value === null));
    assert.match(failed[0].results[0].status_detail ?? "", /Slurm task \d+_3 ended CANCELLED/);
  });

  it("--resume submits only the cell that stored nothing, and it then succeeds", async () => {
    const cancelled = ends.find((e) => e.recorded)!.cell!;
    const again = await bench(["plan.yaml", "--slurm", "--wait", "--resume", "--store", data], work);
    assert.equal(again.code, 0, again.stderr);
    const resumedEnds = again.events.filter((e) => e.event === "slurm-task-end");
    assert.deepEqual(
      resumedEnds.map((e) => [e.cell!.id, e.state!.state]),
      [[cancelled.id, "COMPLETED"]]
    );
    const end = again.events.at(-1)!;
    assert.deepEqual([end.submitted, end.skipped, end.completed, end.failed], [1, 3, 1, 0]);
    assert.ok(existsSync(join(data, "slurm")));
  });
});
