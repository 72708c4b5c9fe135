/**
 * A tool's banner names the program but is not a command: llama-benchy
 * prints `llama-benchy (<version>)` above and below its table
 * (test/fixtures/llama-benchy/console-c4.txt). A real command with no
 * arguments still counts.
 */
import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {parseCommandLine} from "../../scripts/context/command.js";
import {fixtureText} from "../helpers/fixtures.js";

describe("banners are not commands", () => {
  it("rejects llama-benchy's version banner as printed", () => {
    const banners = fixtureText("llama-benchy/console-c4.txt")
      .split("\n")
      .filter((l) => l.startsWith("llama-benchy ("));
    assert.equal(banners.length, 2);
    for (const banner of banners) assert.equal(parseCommandLine(banner, 1), null, banner);
    assert.equal(parseCommandLine("llama-benchy (0.2.2.dev1+g52d2b0d55.d20260206)", 1), null);
  });

  it("keeps a real command with no arguments, at a prompt or alone, and with a pipe", () => {
    assert.equal(parseCommandLine("$ llama-bench", 1)?.program, "llama-bench");
    assert.deepEqual(parseCommandLine("$ ./build/bin/llama-bench", 1)?.argv, []);
    assert.equal(parseCommandLine("llama-bench", 1)?.program, "llama-bench");
    assert.equal(parseCommandLine("llama-bench | tee bench.md", 1)?.program, "llama-bench");
    assert.equal(
      parseCommandLine("uvx llama-benchy@v0.3.5 --base-url http://127.0.0.1:8080", 1)?.program_version,
      "v0.3.5"
    );
  });
});
