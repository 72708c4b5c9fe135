import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {machineKey, machineLabel} from "../../scripts/schema/machine.js";
import {toRow} from "../../scripts/schema/row.js";
import {AliasFileError, parseMachineAliases} from "../../scripts/store/aliases.js";
import {readFixture} from "../helpers/fixtures.js";

/** The hardware columns of every row of a fixture, with the given alias file. */
function machines(name: string, aliasesYaml?: string): {hardware: unknown; described_as: unknown}[] {
  const aliases = aliasesYaml === undefined ? undefined : parseMachineAliases(aliasesYaml);
  return readFixture(name).stored.runs.flatMap((run) =>
    run.results.map((result) => {
      const row = toRow(run, result, false, aliases);
      return {hardware: row.hardware, described_as: row.hardware_described_as};
    })
  );
}

const ALIASES = `machines:\n  "4× NVIDIA GeForce RTX 3080":\n    - "4×RTX 3080 20GB"\n`;

describe("machine identity: one rig described two ways (seed 000)", () => {
  it("without aliases, the device lines and the prose give two labels", () => {
    const fromDevices = new Set(machines("seeds/000-4x3080-split.txt").map((m) => m.hardware));
    const fromProse = new Set(machines("seeds/000-4x3080-prose.yaml").map((m) => m.hardware));
    assert.deepEqual([...fromDevices], ["4× NVIDIA GeForce RTX 3080"]);
    assert.deepEqual([...fromProse], ["4×RTX 3080 20GB"]);
  });

  it("data/aliases.yaml merges the stated label into the machine of the device lines, keeping the label it was described by", () => {
    const fromDevices = machines("seeds/000-4x3080-split.txt", ALIASES);
    const fromProse = machines("seeds/000-4x3080-prose.yaml", ALIASES);
    assert.ok(fromDevices.length > 0 && fromProse.length > 0);
    for (const m of fromDevices) assert.deepEqual(m, {hardware: "4× NVIDIA GeForce RTX 3080", described_as: null});
    for (const m of fromProse)
      assert.deepEqual(m, {hardware: "4× NVIDIA GeForce RTX 3080", described_as: "4×RTX 3080 20GB"});
  });

  it("labels that differ only in spacing, case or the count's × / x are one key", () => {
    assert.equal(machineKey("4× NVIDIA GeForce RTX 3080"), machineKey("4x  nvidia geforce RTX 3080"));
    assert.equal(machineKey("4×RTX 3080 20GB"), machineKey("4 x RTX 3080 20GB"));
    assert.notEqual(machineKey("4×RTX 3080 20GB"), machineKey("4× NVIDIA GeForce RTX 3080"));
    const aliases = parseMachineAliases(ALIASES);
    assert.deepEqual(machineLabel("4 x rtx 3080 20gb", aliases), {
      label: "4× NVIDIA GeForce RTX 3080",
      described_as: "4 x rtx 3080 20gb"
    });
    assert.deepEqual(machineLabel("Apple M4", aliases), {label: "Apple M4", described_as: null});
  });

  it("a bad alias file is refused with its name, the line or key, and what was expected", () => {
    assert.throws(
      () => parseMachineAliases("machines:\n  a: [b\n", "data/aliases.yaml"),
      (e: Error) => e instanceof AliasFileError && /data\/aliases\.yaml: line \d+: expected YAML/.test(e.message)
    );
    assert.throws(
      () => parseMachineAliases("machines:\n  a: b\n", "data/aliases.yaml"),
      (e: Error) => e instanceof AliasFileError && /at machines\.a: expected machines:/.test(e.message)
    );
    assert.throws(
      () => parseMachineAliases("machines:\n  a: [c]\n  b: [c]\n", "data/aliases.yaml"),
      /"c" is listed under two machines/
    );
  });
});
