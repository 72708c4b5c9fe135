/**
 * Why a line became neither a block nor context, for `parse --explain`: a
 * reader checking that nothing was missed needs to tell "prose" from "a table
 * no format knows" from "a command of a program benchbook does not read".
 */
import {shellWords} from "../context/command.js";
import type {Doc} from "../formats/types.js";
import {columnKey, splitRow} from "../formats/shared/markdown-table.js";

export interface IgnoredRange {
  line_start: number;
  line_end: number;
  /** One phrase: what the lines are and why nothing was read from them. */
  reason: string;
}

type Kind = "blank" | "prose" | "table" | "json" | "shell" | "fence" | "rule";

/** Commands that are never benchmark context (installs, downloads, navigation). */
const OTHER_PROGRAMS =
  /^(?:git|cd|ls|cat|echo|export|source|uv|uvx|pip|pip3|pipx|python3?|conda|mamba|brew|apt(?:-get)?|sudo|cmake|make|ninja|wget|curl|hf|huggingface-cli|docker|podman|npm|npx|node|mkdir|rm|cp|mv|tar|unzip|ssh|scp|nvcc|bash|sh|zsh|set|ulimit|kill|nohup|tmux|screen|\.\/\S+|\S+\.(?:sh|bat|ps1|py))$/;

function kindOf(text: string): Kind {
  const t = text.trim();
  if (t === "") return "blank";
  if (/^(?:```|~~~)/.test(t)) return "fence";
  if (/^(?:-{3,}|\*{3,}|_{3,}|={3,})$/.test(t)) return "rule";
  if (t.startsWith("|") && t.indexOf("|", 1) > 0) return "table";
  // JSON no format claimed: a brace or bracket alone, a `"key": value` member, a string element of an array.
  if (/^[{}[\]],?$|^[{[]\s*"|^"(?:[^"\\]|\\.)*"\s*:|^"(?:[^"\\]|\\.)*"\s*,?(?:\s*"(?:[^"\\]|\\.)*"\s*,?)*$/.test(t))
    return "json";
  const command = t.replace(/^(?:[$>%]|PS>)\s+/, "");
  const prompted = command !== t;
  // Only a line behind a prompt, or one starting with a setup program, is parsed as shell.
  if ((prompted || OTHER_PROGRAMS.test(command.split(/\s/, 1)[0])) && !/[^\x20-\x7E]/.test(command.slice(0, 40))) {
    try {
      if (shellWords(command)[0] !== undefined) return "shell";
    } catch {
      // not shell syntax: prose
    }
  }
  return "prose";
}

const REASONS: Record<Exclude<Kind, "table">, string> = {
  blank: "blank",
  prose: "prose (no benchmark output, command, device line or hardware heading)",
  json: "JSON that no format recognizes (an application's own settings or data, not a benchmark tool's output)",
  shell: "a command of a program whose output benchbook does not read (install, download, setup)",
  fence: "code fence",
  rule: "horizontal rule"
};

const weak = (k: Kind) => k === "blank" || k === "fence" || k === "rule";

/**
 * Unused physical lines grouped into ranges of one kind each, line by line.
 * Blank lines, fences and rules join the range they sit in, so a paragraph
 * with blank lines around it stays one range.
 */
export class IgnoredLines {
  private ranges: {line_start: number; line_end: number; kind: Kind; header?: string}[] = [];

  add(text: string, line: number): void {
    const kind = kindOf(text);
    const last = this.ranges.at(-1);
    const adjacent = last && last.line_end + 1 === line;
    if (adjacent && (last.kind === kind || weak(kind))) {
      last.line_end = line;
      return;
    }
    if (adjacent && weak(last.kind)) {
      last.kind = kind;
      last.line_end = line;
      if (kind === "table") last.header = text;
      return;
    }
    this.ranges.push({line_start: line, line_end: line, kind, ...(kind === "table" ? {header: text} : {})});
  }

  /** Another tracker's ranges after these, as they are (lines a stream kept aside until it knew they were outside a block). */
  append(other: IgnoredLines): void {
    this.ranges.push(...other.ranges);
  }

  result(): IgnoredRange[] {
    return this.ranges.map(({line_start, line_end, kind, header}) => ({
      line_start,
      line_end,
      reason:
        kind === "table"
          ? `a table no format recognizes (columns: ${splitRow(header ?? "")
              .map(columnKey)
              .join(", ")})`
          : REASONS[kind]
    }));
  }
}

/** The document's unused physical lines (the text of a line split into several logical lines, rejoined). */
export function ignoredRanges(doc: Doc, used: ReadonlySet<number>): IgnoredRange[] {
  const total = doc.lines.at(-1)?.line ?? 0;
  const textOf = new Map<number, string>();
  for (const l of doc.lines) textOf.set(l.line, (textOf.get(l.line) ?? "") + (textOf.has(l.line) ? " " : "") + l.text);
  const ignored = new IgnoredLines();
  for (let line = 1; line <= total; line++) if (!used.has(line)) ignored.add(textOf.get(line) ?? "", line);
  return ignored.result();
}
