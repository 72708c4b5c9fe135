/** The --fail-on grammar and the history command's arguments. */
import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {FailOnError, parseFailOn, triggered} from "../../scripts/history/fail-on.js";
import type {FlaggedChange} from "../../scripts/history/history.js";
import {cli, tempDir} from "../helpers/cli.js";

const change = (direction: FlaggedChange["direction"], ratio: number) => ({direction, ratio}) as FlaggedChange;

describe("--fail-on", () => {
  it("reads KIND[>=|>N%] clauses, any of which triggers", () => {
    const c = parseFailOn("regression>=3%, improvement > 10%,change");
    assert.deepEqual(
      c.map((x) => [x.kind, x.op, x.size]),
      [
        ["regression", ">=", 0.03],
        ["improvement", ">", 0.1],
        ["change", ">=", 0]
      ]
    );
  });

  it("measures a change in its own direction: a throughput ratio of 0.97 and a latency ratio of 1.03 are 3% regressions", () => {
    const at3 = parseFailOn("regression>=3%");
    assert.equal(triggered(change("regression", 0.97), at3)?.text, "regression>=3%");
    assert.equal(triggered(change("regression", 1.03), at3)?.text, "regression>=3%");
    assert.equal(triggered(change("regression", 0.971), at3), null);
    assert.equal(triggered(change("improvement", 0.5), at3), null);
    assert.equal(triggered(change("regression", 0.97), parseFailOn("regression>3%")), null);
    assert.equal(triggered(change("change", 1.2), parseFailOn("change>=5%"))?.kind, "change");
  });

  it("refuses what it cannot read, naming the clause", () => {
    assert.throws(
      () => parseFailOn("regressions>=3%"),
      (e: Error) => e instanceof FailOnError && /"regressions>=3%"/.test(e.message)
    );
    assert.throws(() => parseFailOn("regression>=3"), FailOnError);
    assert.throws(() => parseFailOn(""), FailOnError);
  });
});

describe("benchbook history arguments", () => {
  it("has --help, and exits 2 on a bad condition or selector, 1 on a selector that selects nothing", async () => {
    const help = await cli(["history", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--fail-on COND/);
    const store = tempDir("benchbook-empty-");
    assert.equal((await cli(["history", "--fail-on", "slower", "--store", store])).code, 2);
    assert.equal((await cli(["history", "no_such_column=1", "--store", store])).code, 2);
    const none = await cli(["history", "test=pp512", "--store", store]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /test=pp512 selects no results/);
    const empty = await cli(["history", "--store", store]);
    assert.equal(empty.code, 0);
    assert.match(empty.stdout, /No changes flagged/);
  });
});
