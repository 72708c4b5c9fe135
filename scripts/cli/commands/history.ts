import {resolve} from "node:path";
import {parseSelector, SelectorError, type Selector} from "../../compare/select.js";
import {gitCommits} from "../../history/build-order.js";
import {FailOnError, parseFailOn, triggered} from "../../history/fail-on.js";
import {formatJsonLines, formatMarkdown, formatTerminal, percent} from "../../history/format.js";
import {flaggedChanges, history} from "../../history/history.js";
import {openStoreQuery} from "../../query/connection.js";
import {queryHistoryRows} from "../../query/history.js";
import type {Command} from "../command.js";
import {single} from "../command.js";
import {UsageError} from "../io.js";
import {STORE_OPTION, storeFrom} from "../store-option.js";

export const historyCommand: Command = {
  name: "history",
  summary: "every series across builds: change points labelled regression or improvement, for CI",
  usage: "[SELECTOR…] [options]",
  about: `Groups the store's results into series — one machine, model, test (with
depth), metric and value of every setting, measured over builds — orders each
by build (build number; else the commit order of --git DIR; else time), finds
its change points and prints the flagged ones: regression or improvement,
the ratio after/before and its 95% interval (docs/history.md).

SELECTORs are compare's (docs/compare.md): a run id or prefix, or
key=value[,key=value…]; several select the rows any of them selects.`,
  options: [
    {name: "metric", value: "M[,M]", description: 'metrics to follow (default: throughput if any, else all; "all")'},
    {name: "git", value: "DIR", description: "order builds without build numbers by this repository's commits"},
    {name: "latest", description: "only changes at each series' newest build (for a nightly job)"},
    {
      name: "fail-on",
      value: "COND",
      description:
        "exit 1 when a listed change meets COND, e.g. 'regression>=3%' (KIND[>=|>N%], KIND regression|improvement|change; commas: any)"
    },
    {name: "markdown", description: "a Markdown pipe table"},
    {name: "json", description: "one JSON object per flagged change, one per line"},
    STORE_OPTION
  ],
  footer: `Exit status: 0, or 1 when --fail-on triggers or the selectors match nothing;
2 for bad arguments.`,
  async run(args, terminal) {
    if (args.markdown && args.json) throw new UsageError("--markdown and --json: choose one");
    let selectors: Selector[];
    let conditions;
    try {
      selectors = args._.map(String).map(parseSelector);
      const failOn = single(args, "fail-on");
      conditions = failOn === undefined ? null : parseFailOn(failOn);
    } catch (error) {
      if (error instanceof SelectorError || error instanceof FailOnError) throw new UsageError(error.message);
      throw error;
    }
    const gitDir = single(args, "git");
    let git: string[] | undefined;
    if (gitDir) {
      try {
        git = gitCommits(resolve(terminal.cwd, gitDir));
      } catch (error) {
        throw new UsageError(`--git ${gitDir}: cannot list its commits (${(error as Error).message.split("\n")[0]})`);
      }
    }
    // The selected rows a series can use, read through the store's index (scripts/query/history.ts).
    const query = await openStoreQuery(storeFrom(args, terminal));
    let read;
    try {
      read = await queryHistoryRows(query.connection, selectors);
    } finally {
      if (!terminal.exitsAfter) query.close();
    }
    if ("empty" in read) {
      terminal.err(`benchbook history: ${read.empty.text} selects no results\n`);
      return 1;
    }
    const {rows} = read;
    const metric = single(args, "metric");
    const histories = history(rows, {
      metrics: metric
        ?.split(",")
        .map((m) => m.trim())
        .filter(Boolean),
      order: {git}
    });
    const changes = flaggedChanges(histories).filter((c) => !args.latest || c.latest);
    if (args.json) terminal.out(formatJsonLines(changes));
    else terminal.out(args.markdown ? formatMarkdown(changes, histories) : formatTerminal(changes, histories));
    if (conditions) {
      const hits = changes.flatMap((c) => {
        const condition = triggered(c, conditions);
        return condition
          ? [
              `${c.series.model_label ?? ""} ${c.series.test ?? ""} ${c.series.metric}: ${c.direction} ${percent(c.ratio)} at ${c.build} (${condition.text})`
            ]
          : [];
      });
      if (hits.length) {
        terminal.err(
          `benchbook history: --fail-on triggered by ${hits.length} change${hits.length === 1 ? "" : "s"}:\n${hits.map((h) => `  ${h}\n`).join("")}`
        );
        return 1;
      }
    }
    return 0;
  }
};
