import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {isFinished, parseSacct, statusOf} from "../../scripts/slurm/sacct.js";
import {fixtureText} from "../helpers/fixtures.js";

const states = (name: string) =>
  parseSacct(fixtureText(`slurm/${name}`), "3").map((s) => [s.task, s.state, s.exit_code, s.node]);

describe("parseSacct on real Slurm 22.05 output", () => {
  it("expands the folded pending line of a job array", () => {
    assert.deepEqual(states("sacct-array-pending.txt"), [
      [0, "RUNNING", "0:0", "vm"],
      [1, "PENDING", "0:0", null],
      [2, "PENDING", "0:0", null],
      [3, "PENDING", "0:0", null]
    ]);
  });

  it("prefers a task's own line to a folded pending line that still names it", () => {
    assert.deepEqual(states("sacct-array-running.txt"), [
      [0, "COMPLETED", "0:0", "vm"],
      [1, "RUNNING", "0:0", "vm"],
      [2, "PENDING", "0:0", null],
      [3, "PENDING", "0:0", null]
    ]);
  });

  it("has no line for a task cancelled while pending", () => {
    const parsed = parseSacct(fixtureText("slurm/sacct-array-cancelled-pending.txt"), "3");
    assert.deepEqual(
      parsed.map((s) => [s.task, s.state, s.exit_code]),
      [
        [0, "COMPLETED", "0:0"],
        [1, "FAILED", "3:0"],
        [3, "COMPLETED", "0:0"]
      ]
    );
    assert.equal(parsed[1].start, "2026-12-07T16:41:30");
    assert.equal(parsed[1].end, "2026-12-07T16:41:34");
    assert.ok(parsed.every(isFinished));
  });

  it("ignores other jobs' lines and reads `CANCELLED by N` as CANCELLED", () => {
    const parsed = parseSacct(
      "31_0|CANCELLED by 0|0:15|vm|2026-12-07T16:41:26|2026-12-07T16:41:27\n3_0|TIMEOUT|0:0|vm|2026-12-07T16:41:26|2026-12-07T16:42:27\n",
      "3"
    );
    assert.deepEqual(
      parsed.map((s) => [s.job_id, s.state]),
      [["3_0", "TIMEOUT"]]
    );
    assert.equal(parseSacct("3_1|CANCELLED by 0|0:15|vm|x|y", "3")[0].state, "CANCELLED");
  });

  it("maps a task's end to a result status", () => {
    const state = (s: string) => ({
      task: 0,
      job_id: "3_0",
      state: s,
      exit_code: "0:0",
      node: null,
      start: null,
      end: null
    });
    assert.equal(statusOf(state("TIMEOUT")), "timeout");
    assert.equal(statusOf(state("OUT_OF_MEMORY")), "oom");
    assert.equal(statusOf(state("NODE_FAIL")), "error");
    assert.equal(statusOf(state("CANCELLED")), "error");
    assert.equal(isFinished(state("PENDING")), false);
    assert.equal(isFinished(state("RUNNING")), false);
  });
});
