import {DEFAULT_BY} from "../../compare/result.js";
import {parseSelector, SelectorError} from "../../compare/select.js";
import {compareStore} from "../../query/compare.js";
import {openStoreQuery} from "../../query/connection.js";
import type {Command} from "../command.js";
import {single} from "../command.js";
import {COLUMNS} from "../../schema/row.js";
import {UsageError} from "../io.js";
import {STORE_OPTION, storeFrom} from "../store-option.js";

const list = (value: string | undefined) =>
  value
    ? value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;

export const compareCommand: Command = {
  name: "compare",
  summary: "compare two runs, tags, runtimes or builds: B/A with intervals and noise marks",
  usage: "A B [options]",
  about: `Pairs the results of A and B and prints B/A per pair — what llama.cpp's
scripts/compare-llama-bench.py does for two builds, for any two selections.

A and B are selectors over the store's rows (docs/compare.md):
  RUN_ID | RUN_ID_PREFIX             e.g. 9df1ce38efa5-L5, 9df1ce38efa5
  key=value[,key=value…]             e.g. split_mode=tensor
                                          runtime=vllm,tag.writeup=rtx4090-qwen35-glm-m4
                                          build_commit=de3ff81
  keys: any row column (docs/schema.md), tag.NAME, setting.NAME;
  value a|b accepts either; key!=value excludes.

Rows pair up on ${DEFAULT_BY.join(", ")}, plus the settings
compare-llama-bench keys on (and runtime, tool, hardware, concurrency)
wherever they vary within a side. Speedup = B/A with two decimals, as
compare-llama-bench.py prints it. The interval and the noise mark (≈) come
from each side's sd: Welch's t-test and a 95% interval when repetitions are
known, else ±1 sd (≈ when the ranges overlap); ? when no sd was reported.`,
  options: [
    {
      name: "by",
      value: "COLS",
      choices: () => COLUMNS.map((c) => c.name),
      list: {open: {test: (key) => /^(?:tag[.:]|settings?\.)./.test(key), names: "tag.NAME or setting.NAME"}},
      description: "pair on these columns instead (comma-separated row columns, tag.NAME, setting.NAME)"
    },
    {
      name: "metric",
      value: "M[,M]",
      description: 'metrics to compare (default: throughput if both sides have it, else all; "all" for every metric)'
    },
    {name: "markdown", description: "a Markdown pipe table, ready to paste"},
    {name: "json", description: "everything as JSON (both values, ratio, interval, p, sources)"},
    STORE_OPTION
  ],
  async run(args, terminal) {
    const positional = args._.map(String);
    if (positional.length !== 2)
      throw new UsageError(`expects two selectors, A and B (got ${positional.length}); see benchbook compare --help`);
    if (args.markdown && args.json) throw new UsageError("--markdown and --json: choose one");
    // Loaded while DuckDB starts and reads.
    const formatting = import("../../compare/format.js");
    const by = list(single(args, "by"));
    let selectors;
    try {
      selectors = positional.map(parseSelector);
    } catch (error) {
      if (error instanceof SelectorError) throw new UsageError(error.message);
      throw error;
    }
    const query = await openStoreQuery(storeFrom(args, terminal));
    let compared;
    try {
      compared = await compareStore(
        query.connection,
        [selectors[0], selectors[1]],
        {a: positional[0], b: positional[1]},
        {by, metrics: list(single(args, "metric")), provenance: Boolean(args.json)},
        await query.connect()
      );
    } finally {
      if (!terminal.exitsAfter) query.close();
    }
    if ("empty" in compared) {
      const index = compared.empty === "A" ? 0 : 1;
      terminal.err(`benchbook compare: ${compared.empty} (${selectors[index].text}) selects no results\n`);
      return 1;
    }
    const {result} = compared;
    const {formatMarkdown, formatTerminal, toJson} = await formatting;
    if (args.json) terminal.out(JSON.stringify(toJson(result), null, 2) + "\n");
    else terminal.out(args.markdown ? formatMarkdown(result) : formatTerminal(result));
    return result.pairs.some((p) => p.a && p.b) ? 0 : 1;
  }
};
