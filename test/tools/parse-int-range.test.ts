/**
 * benchbook's parseIntRange against llama-bench's own parse_int_range,
 * compiled from the llama.cpp source that scripts/llama/build-cpu.sh clones:
 * the same inputs must give the same lists, and be refused alike.
 */
import assert from "node:assert/strict";
import {execFileSync} from "node:child_process";
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {after, describe, it} from "node:test";
import {parseIntRange} from "../../scripts/bench/llama-bench-options.js";

function llamaBin(): string {
  if (process.env.BENCHBOOK_LLAMA_BIN) return process.env.BENCHBOOK_LLAMA_BIN;
  return execFileSync("bash", ["scripts/llama/build-cpu.sh"], {encoding: "utf8", stdio: ["ignore", "pipe", "inherit"]})
    .trim()
    .split("\n")
    .at(-1)!;
}

/** The function's text, cut from llama-bench.cpp: from its signature to the closing brace at column 0. */
function extractParseIntRange(source: string): string {
  const start = source.indexOf("static std::vector<int> parse_int_range(");
  assert.ok(start >= 0, "parse_int_range not found in llama-bench.cpp");
  const end = source.indexOf("\n}\n", start);
  return source.slice(start, end + 3);
}

describe("parseIntRange agrees with llama-bench's compiled parse_int_range", () => {
  const work = mkdtempSync(join(tmpdir(), "benchbook-parse-int-range-"));
  after(() => rmSync(work, {recursive: true, force: true}));
  const source = readFileSync(join(llamaBin(), "../../src/tools/llama-bench/llama-bench.cpp"), "utf8");
  const harness = `#include <cstdio>
#include <iostream>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>
${extractParseIntRange(source)}
// One input per line: "<0|1> <text>" (allow_negative, then the value). Prints the list or ERR.
int main() {
    std::string line;
    while (std::getline(std::cin, line)) {
        bool neg = line[0] == '1';
        std::string text = line.substr(2);
        try {
            auto v = parse_int_range(text, neg);
            std::string out = "[";
            for (size_t i = 0; i < v.size(); i++) out += (i ? "," : "") + std::to_string(v[i]);
            std::cout << out << "]" << std::endl;
        } catch (const std::exception &) {
            std::cout << "ERR" << std::endl;
        }
    }
}
`;
  writeFileSync(join(work, "h.cpp"), harness);
  execFileSync("c++", ["-std=c++17", "-O1", "-o", join(work, "h"), join(work, "h.cpp")], {stdio: "inherit"});

  const inputs: [boolean, string][] = [];
  for (const text of [
    "512",
    "0,16384",
    "128,",
    "",
    "8-1",
    "007",
    "1-4",
    "1-8+2",
    "0-32768+8192",
    "16-512*2",
    "100-300*2",
    "1-2,8-16*2,100",
    "0-8*2",
    "1-8*1",
    "1-8+0",
    "1-8|2",
    ",1",
    "1,,2",
    "a",
    "1 ,2",
    "1-",
    "1.5",
    "-1",
    "1-8/2",
    "2147483640-2147483647+3",
    "5-5",
    "0",
    "0-0",
    "3-9*3",
    "1-1000*10"
  ]) {
    inputs.push([false, text], [true, text]);
  }
  inputs.push([true, "-1-1"], [true, "-5-2+3"], [true, "-3"]);
  // Random inputs in the grammar's alphabet.
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  const alphabet = ["1", "2", "8", "16", "0", "-", "+", "*", ",", "|", "3"];
  for (let k = 0; k < 400; k++)
    inputs.push([rand(2) === 1, Array.from({length: 1 + rand(7)}, () => alphabet[rand(alphabet.length)]).join("")]);

  const cpp = execFileSync(join(work, "h"), {
    input: inputs.map(([neg, text]) => `${neg ? 1 : 0} ${text}`).join("\n") + "\n",
    encoding: "utf8"
  })
    .trim()
    .split("\n");

  it("gives the same list, or refuses, for every input", () => {
    assert.equal(cpp.length, inputs.length);
    const mismatches = inputs.flatMap(([neg, text], i) => {
      let ours: string;
      try {
        ours = JSON.stringify(parseIntRange(text, neg));
      } catch {
        ours = "ERR";
      }
      return ours === cpp[i]
        ? []
        : [`${neg ? "(negative allowed) " : ""}"${text}": llama-bench ${cpp[i]}, benchbook ${ours}`];
    });
    assert.deepEqual(mismatches, []);
    assert.ok(
      cpp.filter((c) => c === "ERR").length > 20 && cpp.filter((c) => c !== "ERR").length > 20,
      "the corpus exercises both outcomes"
    );
  });
});
