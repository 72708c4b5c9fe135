/**
 * Hand-entered observations in YAML (`benchbook: observations/1`, docs/hand-entered.md), alone or fenced in a
 * document. Values keep their YAML line; runs are marked origin "hand-entered".
 */
import {isMap, isScalar, LineCounter, parseDocument, type Document} from "yaml";
import type {Block, Context, Doc, Format, ParsedRun} from "../types.js";
import {ParseError} from "../types.js";
import type {Locator, Path} from "./runs.js";
import {observationRuns, validateObservations} from "./runs.js";

const MARKER_LINE = /^\s*["']?benchbook["']?\s*:\s*["']?observations\/(\d+)["']?\s*(?:#.*)?$/;
/** Where an embedded YAML document ends: a closing fence, a document end or start marker. */
const END = /^\s*(?:```|~~~|\.\.\.\s*$|---\s*$)/;

function scan(doc: Doc): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < doc.lines.length; i++) {
    const marker = MARKER_LINE.exec(doc.lines[i].text);
    if (!marker || /^\s/.test(doc.lines[i].text)) continue;
    let end = i;
    while (
      end + 1 < doc.lines.length &&
      !END.test(doc.lines[end + 1].text) &&
      !MARKER_LINE.test(doc.lines[end + 1].text)
    )
      end++;
    while (end > i && doc.lines[end].text.trim() === "") end--;
    blocks.push({
      format: "hand-observations-yaml",
      start: i,
      end,
      confidence: 1,
      reason: `a YAML document whose first key is "benchbook: observations/${marker[1]}" (hand-entered observations, docs/hand-entered.md)`
    });
    i = end;
  }
  return blocks;
}

/** Paths → lines and verbatim scalars, through the YAML nodes' source ranges. */
export function yamlLocator(document: Document, counter: LineCounter, physical: (yamlLine: number) => number): Locator {
  const lineAt = (offset: number) => physical(counter.linePos(offset).line);
  const nodeAt = (path: Path) => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? document.contents : document.getIn(path.slice(0, n), true);
      if (node && typeof node === "object" && "range" in node && (node as {range?: unknown}).range)
        return {node: node as {range: [number, number, number]}, exact: n === path.length};
    }
    return null;
  };
  return {
    line(path) {
      // An unknown key's line is its key's line: find the pair in its map.
      const parent = path.length ? document.getIn(path.slice(0, -1), true) : null;
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path.at(-1));
        if (pair && isScalar(pair.key) && pair.key.range) return lineAt(pair.key.range[0]);
      }
      const found = nodeAt(path);
      return found ? lineAt(found.node.range[0]) : physical(1);
    },
    text(path) {
      const node = path.length ? document.getIn(path, true) : null;
      return isScalar(node) ? (node.source ?? String(node.value)) : null;
    },
    range(path) {
      const found = nodeAt(path);
      if (!found) return [physical(1), physical(1)];
      const [start, , end] = found.node.range;
      // A block node's end offset is the start of the next line: step back onto its last character.
      return [lineAt(start), lineAt(Math.max(start, end - 1))];
    }
  };
}

function parse(doc: Doc, block: Block, context: Context): ParsedRun[] {
  const lines = doc.lines.slice(block.start, block.end + 1);
  const physical = (yamlLine: number) => lines[Math.min(Math.max(yamlLine, 1), lines.length) - 1].line;
  const version = MARKER_LINE.exec(lines[0].text)?.[1];
  if (version !== "1")
    throw new ParseError(
      lines[0].line,
      "benchbook: observations/1 (this benchbook reads version 1 of the format)",
      lines[0].text.trim()
    );
  const counter = new LineCounter();
  const document = parseDocument(lines.map((l) => l.text).join("\n"), {
    lineCounter: counter,
    prettyErrors: false,
    uniqueKeys: true
  });
  const [error] = document.errors;
  if (error)
    throw new ParseError(
      physical(counter.linePos(error.pos[0]).line),
      `valid YAML (${error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")})`
    );
  if (!isMap(document.contents))
    throw new ParseError(lines[0].line, "a YAML mapping starting with benchbook: observations/1");
  const locate = yamlLocator(document, counter, physical);
  const observations = validateObservations(yamlValue(document, lines[0].line), locate);
  return observationRuns(observations, locate, "hand-observations-yaml", context, {
    line_start: lines[0].line,
    line_end: lines.at(-1)!.line
  });
}

/**
 * A YAML document's value. An alias bomb (anchors nesting aliases by the
 * billion) is refused by yaml's alias count limit; say so at the block's
 * first line instead of a stack trace.
 */
export function yamlValue(document: Document, line: number): unknown {
  try {
    return document.toJS({maxAliasCount: MAX_YAML_ALIASES});
  } catch (error) {
    if (error instanceof ReferenceError)
      throw new ParseError(line, `YAML whose aliases (*name) expand to a reasonable size (${error.message})`);
    throw error;
  }
}

/** yaml's own default: every alias may be expanded this many times over. */
const MAX_YAML_ALIASES = 100;

export const handObservationsYaml: Format = {
  id: "hand-observations-yaml",
  tool: "hand-entered",
  description: "hand-entered observations, YAML starting with benchbook: observations/1 (docs/hand-entered.md)",
  scan,
  parse
};
