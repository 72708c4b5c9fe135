/**
 * The contract between the document reader and the formats: a Doc of logical lines that remember their
 * physical line (a line whose breaks were lost splits into several sharing its number); a Format finds Blocks
 * and parses each into ParsedRuns, reading the Context the text before set.
 */
import type {Hardware, Run} from "../schema/schema.js";
import type {ParsedCommand} from "../context/command.js";

export interface LogicalLine {
  text: string;
  /** 1-based physical line number in the raw input. */
  line: number;
}

export interface Doc {
  /** File name as given to the importer (`-` for stdin). */
  name: string;
  lines: LogicalLine[];
}

export interface Block {
  format: string;
  /** Logical line indexes, inclusive. */
  start: number;
  end: number;
  /** 0..1: how sure the detector is. */
  confidence: number;
  /** One sentence for `parse --explain`: what made the detector say so. */
  reason: string;
}

/** What the text before a block says about it. */
export interface Context {
  /** Commands seen since the previous block, oldest first (a benchmark command is consumed by the next block). */
  commands: ParsedCommand[];
  /**
   * The latest server launch (`llama-server …`, `vllm serve …`,
   * `python -m sglang.launch_server …`, `mlx_lm.server …`, a vLLM container):
   * unlike benchmark commands it stays context for every following block
   * until another server command appears. See isServerCommand.
   */
  server: ParsedCommand | null;
  /**
   * `#` comment lines since the previous block, oldest first, without the `#`
   * (`vllm 0.17.2rc1.dev13+gf34032433`, `mlx-lm 0.31.1`). Comments directly
   * above a command are also on that command (`ParsedCommand.comments`).
   */
  comments: string[];
  /** Hardware from the latest device lines (they hold until new ones appear). */
  hardware: Hardware;
  /** Runtime forced by the user (`--runtime`), if any. */
  runtime: string | null;
}

/** A run as a format reads it; the importer adds id, source, tags and import time. */
export type ParsedRun = Omit<Run, "schema" | "id" | "source" | "imported_at" | "tags"> & {
  line_start: number;
  line_end: number;
  /**
   * Lines of the block the format could not read but skipped rather than
   * reject the input for (a cut-off last table row): the reader warns about
   * them, and refuses the input under --strict.
   */
  unread?: UnreadLines[];
};

export interface UnreadLines {
  line_start: number;
  line_end: number;
  /** What was expected there and what was found. */
  reason: string;
}

export interface Format {
  /** Stable identifier, used by `--format` and stored on each run. */
  id: string;
  /** The program that writes this format. */
  tool: string;
  /** One line for `--help` and docs. */
  description: string;
  /**
   * Split a physical line that holds several logical lines (a table pasted
   * through a site that dropped its line breaks). Return null when the line
   * is not such a line.
   */
  unflatten?(line: string): string[] | null;
  /** Find this format's blocks. Blocks must not overlap each other. */
  scan(doc: Doc): Block[];
  /** Parse one block; throw ParseError on malformed input. */
  parse(doc: Doc, block: Block, context: Context): ParsedRun[];
}

/** Malformed input: names the physical line and what was expected there. */
export class ParseError extends Error {
  constructor(
    readonly line: number,
    readonly expected: string,
    readonly found?: string
  ) {
    super(`line ${line}: expected ${expected}${found === undefined ? "" : `, found ${JSON.stringify(clip(found))}`}`);
    this.name = "ParseError";
  }
}

function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
