import type {DocumentReading} from "../../document/read.js";
import {InputError} from "../../document/read.js";
import {FORMATS} from "../../formats/registry.js";
import {readInput} from "../../import/import.js";
import {toRow} from "../../schema/row.js";
import type {Command} from "../command.js";
import {single} from "../command.js";
import {collectInputs} from "../inputs.js";
import type {Terminal} from "../io.js";

export const parseCommand: Command = {
  name: "parse",
  summary: "print what would be imported, without touching the store",
  usage: "<file|->... [options]",
  options: [
    {
      name: "json",
      description:
        "JSON Lines on stdout: one object per measured value, the same row the exported Parquet holds (see docs/schema.md): tool, model, test, n_prompt, n_gen, n_depth, metric, unit, stat, value, stddev, stddev_kind, file, line, …"
    },
    {
      name: "explain",
      description:
        "which lines became which block and why, which lines were context (commands, device lines) and which were ignored"
    },
    {
      name: "format",
      value: "ID",
      choices: () => FORMATS.map((f) => f.id),
      description: "skip detection and read as this format"
    },
    {name: "runtime", value: "NAME", description: "the engine behind an endpoint when the text does not say"},
    {name: "name", value: "NAME", description: "the name to record for standard input (default: -)"},
    {
      name: "strict",
      description:
        "refuse an input with lines that would be skipped (a pasted table's cut-off last row) instead of warning"
    }
  ],
  footer: `Lines skipped rather than read are reported on stderr as warnings.
Exit status 1 if any input could not be read (the error names file and line).`,
  async run(args, terminal) {
    const format = single(args, "format");
    const inputs = await collectInputs(args._.map(String), terminal, single(args, "name"));
    let failures = 0;
    for (const input of inputs) {
      let read;
      try {
        read = readInput(input, {
          format,
          runtime: single(args, "runtime"),
          strict: Boolean(args.strict),
          now: () => new Date(0)
        });
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        // A text with no block still has lines to explain (context, tables no format reads, prose).
        if (args.explain && error.reading) explain(terminal, `${input.name}: no block`, error.reading);
        terminal.err(`${error.message}\n`);
        failures++;
        continue;
      }
      const {stored, reading} = read;
      for (const warning of reading.warnings) terminal.err(`warning: ${input.name}: ${warning.message}\n`);
      if (args.json) {
        for (const run of stored.runs) {
          for (const result of run.results) {
            const row = toRow(run, result, false);
            delete row.imported_at; // nothing was imported
            terminal.out(JSON.stringify(row) + "\n");
          }
        }
        continue;
      }
      if (args.explain) {
        explain(terminal, `${input.name}: ${stored.source.lines} lines`, reading);
        continue;
      }
      terminal.out(`${input.name}\n`);
      for (const run of stored.runs) {
        const row = toRow(run, run.results[0], false);
        terminal.out(
          `  lines ${run.source.line_start}-${run.source.line_end}  ${run.format}  ${row.model_label ?? "?"}  ${row.hardware ?? "hardware not stated"}\n`
        );
        if (run.command) terminal.out(`    command: ${run.command.replace(/\s*\\?\n\s*/g, " ")}\n`);
        for (const result of run.results) {
          const r = toRow(run, result, false);
          const pm = r.stddev === null ? "" : ` ± ${r.stddev}`;
          terminal.out(
            `    line ${String(r.line).padStart(4)}  ${String(r.test).padEnd(18)} ${r.metric} ${r.stat} ${r.value}${pm} ${r.unit}\n`
          );
        }
        for (const note of run.notes) terminal.out(`    note: ${note}\n`);
      }
    }
    return failures ? 1 : 0;
  }
};

/** Which lines became which block and why, which were context, which were ignored. */
function explain(terminal: Terminal, title: string, reading: DocumentReading): void {
  terminal.out(`${title}\n`);
  const events = [
    ...reading.blocks.map((b) => ({
      at: b.line_start,
      text: `  lines ${range(b)}  block  ${b.format} (confidence ${b.confidence}): ${b.reason} → ${b.runs} run, ${b.results} results`
    })),
    ...reading.context.map((c) => ({at: c.line_start, text: `  lines ${range(c)}  context  ${c.kind}: ${c.summary}`})),
    ...reading.ignored.map((r) => ({at: r.line_start, text: `  lines ${range(r)}  ignored  ${r.reason}`}))
  ].sort((a, b) => a.at - b.at);
  for (const e of events) terminal.out(e.text + "\n");
}

function range(r: {line_start: number; line_end: number}): string {
  return r.line_start === r.line_end ? `${r.line_start}` : `${r.line_start}-${r.line_end}`;
}
