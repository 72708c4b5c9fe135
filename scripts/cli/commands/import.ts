import {Presets, SingleBar} from "cli-progress";
import {FORMATS} from "../../formats/registry.js";
import {importInputs} from "../../import/import.js";
import {defaultJobs, importInputsPooled, POOL_MIN_BYTES, POOL_MIN_INPUTS} from "../../import/pool.js";
import type {Command} from "../command.js";
import {parseTags, single} from "../command.js";
import {UsageError} from "../io.js";
import {collectInputs} from "../inputs.js";
import {indexAfterWrite, STORE_OPTION, storeFrom} from "../store-option.js";

const POOL_HINT = `${POOL_MIN_INPUTS} or more inputs of ${POOL_MIN_BYTES / 2 ** 20} MiB or more in all`;

export const importCommand: Command = {
  name: "import",
  summary: "import raw benchmark outputs (files, directories, or - for pasted text) into the store",
  usage: "<file|dir|->... [options]",
  about: `Reads each input, finds the benchmark outputs in it by content (a whole tool
output file, or tables and logs inside a pasted post), and stores the raw
input verbatim plus the normalized runs. Importing the same bytes again adds
nothing. Each input lands whole or not at all; a bad input does not stop the
others, and the exit status is 1 if any failed.`,
  options: [
    {name: "tag", value: "KEY=VALUE", repeatable: true, description: "tag every run of these inputs (repeatable)"},
    {
      name: "format",
      value: "ID",
      choices: () => FORMATS.map((f) => f.id),
      description: "skip detection and read every input as this format"
    },
    {name: "runtime", value: "NAME", description: "the engine behind an endpoint when the text does not say"},
    {name: "name", value: "NAME", description: "the name to record for standard input (default: -)"},
    {name: "dry-run", description: "read and report, write nothing"},
    {
      name: "strict",
      description:
        "refuse an input with lines that would be skipped (a pasted table's cut-off last row) instead of importing its complete rows with a warning"
    },
    {
      name: "jobs",
      value: "N",
      description: `read inputs on N worker threads (default: up to 4, one per core, for ${POOL_HINT}; else 1). Outcomes, their order and the store are the same whatever N is; inputs with the same bytes are read once`
    },
    {name: "json", description: "print the outcome as JSON"},
    STORE_OPTION
  ],
  async run(args, terminal) {
    const tags = parseTags(args.tag);
    const store = storeFrom(args, terminal);
    const format = single(args, "format");
    const inputs = await collectInputs(args._.map(String), terminal, single(args, "name"));
    const jobsText = single(args, "jobs");
    const jobs = jobsText === undefined ? defaultJobs(inputs) : Number(jobsText);
    if (!Number.isInteger(jobs) || jobs < 1)
      throw new UsageError(`--jobs takes a whole number of threads, 1 or more (got ${JSON.stringify(jobsText)})`);
    // On a terminal, a batch shows its progress on stderr (stdout keeps the outcomes).
    const bar =
      terminal.isTTY && !args.json && inputs.length > 1
        ? new SingleBar(
            {
              format: "importing {bar} {value}/{total} inputs | ETA {eta_formatted} | {name}",
              hideCursor: true,
              clearOnComplete: true,
              stream: process.stderr
            },
            Presets.shades_classic
          )
        : null;
    bar?.start(inputs.length, 0, {name: ""});
    const options = {
      store,
      tags,
      dryRun: args["dry-run"],
      format,
      runtime: single(args, "runtime"),
      strict: Boolean(args.strict),
      ...(bar ? {onOutcome: (o: {name: string}) => bar.increment({name: o.name})} : {})
    };
    let outcomes;
    // One writer at a time: a second import waits for the first (both functions take the store's lock).
    try {
      outcomes = jobs > 1 ? await importInputsPooled(inputs, {...options, jobs}) : importInputs(inputs, options);
    } finally {
      bar?.stop();
    }
    if (!args["dry-run"] && outcomes.some((o) => o.status === "imported")) {
      // Inputs read by the fast path are indexed from memory, not read back (SyncOptions.fresh).
      const fresh = new Map(outcomes.flatMap((o) => (o.status === "imported" && o.written ? [o.written] : [])));
      await indexAfterWrite(store, terminal, fresh);
    }
    const failed = outcomes.filter((o) => o.status === "failed");
    if (args.json) {
      terminal.out(
        JSON.stringify(
          outcomes.map((o) =>
            o.status === "imported"
              ? {
                  name: o.name,
                  status: o.status,
                  sha256: o.sha256,
                  runs: o.runs.map((r) => r.id),
                  results: o.runs.reduce((n, r) => n + r.results.length, 0),
                  ...(o.warnings ? {warnings: o.warnings} : {})
                }
              : o.status === "unchanged"
                ? {
                    name: o.name,
                    status: o.status,
                    sha256: o.sha256,
                    runs: o.runs,
                    ...(o.tags_not_applied ? {tags_not_applied: o.tags_not_applied} : {})
                  }
                : {name: o.name, status: o.status, error: o.error.message}
          ),
          null,
          2
        ) + "\n"
      );
    } else {
      const verb = args["dry-run"] ? "would import" : "imported";
      for (const o of outcomes) {
        if (o.status === "imported") {
          const results = o.runs.reduce((n, r) => n + r.results.length, 0);
          const formats = [...new Set(o.runs.map((r) => r.format))].join(", ");
          terminal.out(
            `${verb}  ${o.name}: ${o.runs.length} run${o.runs.length === 1 ? "" : "s"}, ${results} results (${formats})\n`
          );
        } else if (o.status === "unchanged") {
          terminal.out(`unchanged ${o.name}: already in the store (${o.runs} runs), nothing added\n`);
          if (o.tags_not_applied) {
            const show = (tags: Record<string, string>) =>
              Object.entries(tags)
                .map(([k, v]) => `${k}=${v}`)
                .join(" ") || "no tags";
            terminal.err(
              `note      ${o.name}: stored with ${show(o.tags_not_applied.stored)}; the tags given (${show(o.tags_not_applied.given)}) were not applied. To change them: benchbook retag ${o.sha256.slice(0, 12)} ${Object.entries(
                o.tags_not_applied.given
              )
                .map(([k, v]) => `--tag ${k}=${v}`)
                .join(" ")}\n`
            );
          }
        }
      }
      for (const o of outcomes)
        if (o.status === "imported") for (const warning of o.warnings ?? []) terminal.err(`warning   ${warning}\n`);
      for (const o of failed) if (o.status === "failed") terminal.err(`failed    ${o.error.message}\n`);
      const ok = outcomes.length - failed.length;
      terminal.out(
        `${ok} of ${outcomes.length} input${outcomes.length === 1 ? "" : "s"} ${args["dry-run"] ? "readable (dry run, nothing written)" : "in the store"}${failed.length ? `; ${failed.length} failed: ${failed.map((f) => f.name).join(", ")}` : ""}\n`
      );
    }
    return failed.length ? 1 : 0;
  }
};
