/**
 * A printed "Serving Benchmark Result" block → its run: what vLLM's `bench serve` and SGLang's
 * `bench_serving` printed formats share; each passes its own labels, settings and length options.
 */
import {ParseError, type Block, type Context, type Doc, type ParsedRun} from "../types.js";
import {findBenchCommand, type BenchProgram} from "./bench-command.js";
import {readPrinted, type LabelSpec} from "./printed-results.js";
import {englishKey, printedLimit, printedLines, printedNumber} from "./serving-block.js";
import {serveShape, servingRun} from "./serving-run.js";

export interface PrintedServing {
  tool: string;
  format: string;
  /** The bench program whose command line states the run's model, lengths and concurrency. */
  program: BenchProgram;
  labels: Record<string, LabelSpec>;
  /** Labels that state a setting of the run rather than a measurement. */
  settings: Record<string, string>;
  lengths: {input: string[]; output: string[]};
}

export function parsePrintedServing(doc: Doc, block: Block, context: Context, spec: PrintedServing): ParsedRun[] {
  const lines = printedLines(doc, block.start, block.end);
  if (lines.length === 0)
    throw new ParseError(
      doc.lines[block.start].line,
      "result lines after the Serving Benchmark Result banner",
      "nothing"
    );
  const bench = findBenchCommand(doc, block, context, spec.program);
  const concurrencyLine = lines.find((l) => spec.settings[englishKey(l.label)] === "max_concurrency");
  const shape = serveShape(
    bench,
    concurrencyLine ? printedNumber(concurrencyLine.value) : null,
    spec.lengths,
    printedLimit(doc, block.start, lines, spec.settings)
  );
  const read = readPrinted(lines, shape, spec.labels, spec.settings);
  const notes: string[] = [...read.notes];
  if (lines.some((l, i) => i > 0 && l.line === lines[i - 1].line)) {
    notes.push("the block's line breaks had been removed; it was split back into lines at its labels");
  }
  return [
    servingRun(
      {
        tool: spec.tool,
        format: spec.format,
        line_start: doc.lines[block.start].line,
        line_end: doc.lines[block.end].line,
        results: read.results,
        model_name: null,
        bench,
        settings: read.settings,
        extra: read.unrecognized.length ? {unrecognized: read.unrecognized} : {},
        notes
      },
      doc,
      block,
      context
    )
  ];
}
