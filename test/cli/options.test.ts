import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {describe, it} from "node:test";
import {helpText, minimistOptions, parseArgs} from "../../scripts/cli/command.js";
import {COMMANDS} from "../../scripts/cli/main.js";

const loaded = await Promise.all(COMMANDS.map(async (entry) => ({entry, command: await entry.load()})));

/** The options a help text lists: every `--name` that starts an option line. */
function listed(help: string): string[] {
  return [...help.matchAll(/^ {2}--([a-z][a-z-]*)/gm)].map((m) => m[1]).sort();
}

/** The options a command's source reads from its parsed arguments. */
function read(source: string): string[] {
  const names = new Set<string>();
  for (const m of source.matchAll(/\bargs(?:\.([a-z][a-zA-Z]*)|\["([a-z-]+)"\])/g)) names.add(m[1] ?? m[2]);
  for (const m of source.matchAll(/\b(?:single|valueOf)\(args, "([a-z-]+)"\)/g)) names.add(m[1]);
  if (/\bstoreFrom\(args\b/.test(source)) names.add("store");
  names.delete("help");
  return [...names].sort();
}

describe("command options: one definition for the parser, the checks and --help", () => {
  it("every command's --help lists exactly the options it parses (internal ones aside)", () => {
    for (const {command} of loaded) {
      const config = minimistOptions(command.options);
      const parsed = [...(config.string as string[]), ...(config.boolean as string[])].filter((n) => n !== "help");
      const internal = command.options.filter((o) => o.internal).map((o) => o.name);
      assert.deepEqual(listed(helpText(command)), parsed.filter((n) => !internal.includes(n)).sort(), command.name);
      assert.equal(new Set(parsed).size, parsed.length, `${command.name}: an option defined twice`);
    }
  });

  it("every option a command's code reads is defined, and every defined option is read", () => {
    for (const {entry, command} of loaded) {
      const source = readFileSync(new URL(`../../scripts/cli/commands/${entry.name}.ts`, import.meta.url), "utf8");
      assert.deepEqual(read(source), command.options.map((o) => o.name).sort(), entry.name);
    }
  });

  it("every listed option is accepted by the parser; an option not listed is refused", () => {
    for (const {command} of loaded) {
      for (const option of command.options) {
        const argv =
          option.value === undefined ? [`--${option.name}`] : [`--${option.name}`, option.choices?.()[0] ?? "x"];
        assert.doesNotThrow(() => parseArgs(command, argv), `${command.name} --${option.name}`);
      }
      assert.throws(() => parseArgs(command, ["--no-such-option"]), /unknown option --no-such-option/);
    }
  });

  it("a single-valued option given twice is refused; a repeatable one is kept whole", () => {
    const importCommand = loaded.find((c) => c.entry.name === "import")!.command;
    assert.throws(() => parseArgs(importCommand, ["--jobs", "1", "--jobs", "2"]), /--jobs given more than once/);
    assert.deepEqual(parseArgs(importCommand, ["--tag", "a=1", "--tag", "b=2"]).tag, ["a=1", "b=2"]);
  });

  it("defaults come from the definition and are shown in --help", () => {
    const serve = loaded.find((c) => c.entry.name === "serve")!.command;
    assert.equal(parseArgs(serve, []).dir, "dist");
    assert.equal(parseArgs(serve, ["--dir", "site"]).dir, "site");
    assert.match(helpText(serve), /--dir DIR +the built site \(default: dist\)/);
  });

  it("keyword options list their choices in --help and are checked when parsed", () => {
    const parse = loaded.find((c) => c.entry.name === "parse")!.command;
    assert.match(
      helpText(parse).replace(/\s+/g, " "),
      /--format ID skip detection .*; one of: benchbook-endpoint-json, /
    );
    assert.equal(parseArgs(parse, ["--format", "LLAMA-BENCH-MD"]).format, "llama-bench-md");
    assert.throws(() => parseArgs(parse, ["--format", "nosuch"]), /invalid --format: "nosuch"; expected one of: /);
    const compare = loaded.find((c) => c.entry.name === "compare")!.command;
    assert.equal(parseArgs(compare, ["--by", "Model_Label, tag.writeup"]).by, "model_label,tag.writeup");
  });

  it("help lines fit 80 columns", () => {
    for (const {command} of loaded)
      for (const line of helpText(command)
        .split("\n")
        .filter((l) => /^ {2}--/.test(l) || /^ {10,}\S/.test(l)))
        assert.ok(line.length <= 80 || !line.trim().includes(" "), `${command.name}: ${line}`);
  });
});
