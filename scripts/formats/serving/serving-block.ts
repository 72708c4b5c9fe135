/**
 * The "Serving Benchmark Result" block of `vllm bench serve` and its fork `sglang.bench_serving`: found (also
 * flattened onto one line or translated), split back into `label: value` lines and read; the formats map labels.
 */
import type {Scalar} from "../../schema/schema.js";
import type {Doc} from "../types.js";

/** The banner, in English and as a Japanese site translated it. */
const BANNER_TEXT = String.raw`(?:Serving\s+Benchmark\s+Result|サービングベンチマーク結果)`;
const BANNER = new RegExp(String.raw`={3,}\s*${BANNER_TEXT}\s*={3,}`, "i");
const BANNER_LINE = new RegExp(String.raw`^\s*={3,}\s*${BANNER_TEXT}\s*={3,}\s*$`, "i");
const CLOSING = /^\s*={10,}\s*$/;
/** `---------------Time to First Token----------------`, `------ End-To-End Latency ------`. */
const SECTION = /^\s*-{3,}\s*(.+?)\s*-{3,}\s*$/;
const LABEL_VALUE = /^\s*([^:]+?)\s*:\s*(.*?)\s*$/;
/** A label printed without a value: the per-position rates follow on their own lines. */
const VALUELESS = /^\s*Per-position acceptance \(%\)\s*:\s*$/i;

function isBanner(text: string): boolean {
  return BANNER_LINE.test(text);
}

export function isClosing(text: string): boolean {
  return CLOSING.test(text);
}

function sectionTitle(text: string): string | null {
  return SECTION.exec(text)?.[1] ?? null;
}

/** The commands a flattened line may hold before its block. */
const COMMAND_START =
  /\s+(?=(?:[A-Z_][A-Z0-9_]*=\S*\s+)*(?:vllm\s+(?:bench\s+)?serve\b|python3?\s+-m\s+sglang\.\w+|python3?\s+\S*benchmark_serving\.py\b))/;

/** Split the body of a flattened block into its printed lines; the text after its closing line is returned apart. */
function splitBody(body: string): {lines: string[]; rest: string} {
  const lines: string[] = [];
  let s = body.trim();
  while (s) {
    let m: RegExpExecArray | null;
    if ((m = /^={10,}(?=\s|$)/.exec(s))) {
      lines.push(m[0]);
      return {lines, rest: s.slice(m[0].length).trim()};
    }
    if (
      (m = /^-{3,}.+?-{3,}(?=\s|$)/.exec(s)) ||
      (m = /^Per-position acceptance \(%\):/i.exec(s)) ||
      (m = /^[^:=]+?:\s*(?:not set|\S+)/.exec(s))
    ) {
      lines.push(m[0].trim());
      s = s.slice(m[0].length).trim();
      continue;
    }
    // A label cut off by a line break the site inserted: the rest follows on the next physical line.
    lines.push(s);
    break;
  }
  return {lines, rest: ""};
}

/** Is this physical line one or more flattened blocks (or the rest of one)? */
function looksFlattened(line: string): boolean {
  if (BANNER.test(line)) return !BANNER_LINE.test(line);
  // The rule first: most lines have none, and counting pairs costs more.
  return (
    (line.includes("-".repeat(10)) || line.includes("=".repeat(20))) &&
    (line.match(/:\s*-?\d+(?:\.\d+)?(?=\s|$)/g)?.length ?? 0) >= 3
  );
}

/**
 * Split a physical line holding serving blocks whose line breaks a website
 * removed (commands, banner, `label: value` pairs, section rules, closing
 * rule) into logical lines. null when the line is not such a line.
 */
export function unflattenServing(line: string): string[] | null {
  if (!looksFlattened(line)) return null;
  const out: string[] = [];
  let rest = line.trim();
  // Text before the first banner: prose or commands (`vllm serve … vllm bench serve …`).
  const banner = new RegExp(String.raw`={3,}\s*${BANNER_TEXT}\s*={3,}`, "i");
  const first = banner.exec(rest);
  if (!first) {
    // The rest of a block that began on an earlier physical line.
    const body = splitBody(rest);
    out.push(...body.lines);
    rest = body.rest;
  }
  while (rest) {
    const m = banner.exec(rest);
    const before = (m ? rest.slice(0, m.index) : rest).trim();
    if (before)
      out.push(
        ...before
          .split(COMMAND_START)
          .map((p) => p.trim())
          .filter(Boolean)
      );
    if (!m) break;
    out.push(m[0]);
    const body = splitBody(rest.slice(m.index + m[0].length));
    out.push(...body.lines);
    rest = body.rest;
  }
  return out;
}

export interface PrintedLine {
  /** Label as printed (a cut-off label joined with its rest). */
  label: string;
  /** Value as printed (`10.95`, `inf`, `not set`), "" for a valueless label. */
  value: string;
  /** The section the line is in (`Time to First Token`), null before the first. */
  section: string | null;
  /** 1-based physical line of the value. */
  line: number;
  /** The line as printed. */
  text: string;
  /** Words a person wrote after the value (`0          <<<<<<< New line`), not part of it. */
  note?: string;
}

/** A value followed, after a gap, by a person's remark (`0          <<<<<<< New line`). */
const VALUE_AND_NOTE = /^(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s{2,}(\S.*)$/;

/** Find the end of a block that starts at a banner: its closing rule, or the last line that reads like the block. */
function blockEnd(doc: Doc, start: number): number {
  let end = start;
  for (let j = start + 1; j < doc.lines.length; j++) {
    const text = doc.lines[j].text;
    if (isClosing(text)) return j;
    if (isBanner(text)) break;
    const next = doc.lines[j + 1]?.text ?? "";
    const fragment = !text.includes(":") && text.trim() !== "" && LABEL_VALUE.test(next) && !sectionTitle(text);
    if (LABEL_VALUE.test(text) || sectionTitle(text) || fragment || /^\s+Position \d+:/.test(text)) end = j;
    else break;
  }
  return end;
}

/** The `label: value` lines of a block (banner and closing rule excluded), with their sections. */
export function printedLines(doc: Doc, start: number, end: number): PrintedLine[] {
  const lines: PrintedLine[] = [];
  let section: string | null = null;
  let pending = "";
  for (let j = start + 1; j <= end; j++) {
    const {text, line} = doc.lines[j];
    if (isClosing(text) || isBanner(text)) continue;
    const title = sectionTitle(text);
    if (title) {
      section = title;
      continue;
    }
    if (VALUELESS.test(text)) {
      lines.push({label: text.trim().replace(/:$/, ""), value: "", section, line, text: text.trim()});
      continue;
    }
    const m = LABEL_VALUE.exec(text);
    if (!m) {
      pending += text.trim();
      continue;
    }
    const joined = pending ? `${pending}${m[1]}` : m[1];
    const noted = VALUE_AND_NOTE.exec(m[2]);
    lines.push({
      label: joined,
      value: noted ? noted[1] : m[2],
      section,
      line,
      text: pending ? `${pending}${text.trim()}` : text.trim(),
      ...(noted ? {note: noted[2]} : {})
    });
    pending = "";
  }
  return lines;
}

/** Lowercased, without whitespace: `Total Token throughput (tok/s)` and `Total token throughput  (tok/s)` meet. */
function labelKey(label: string): string {
  return label.toLowerCase().replace(/\s+/g, "");
}

/** Labels as a Japanese site translated vLLM's (seen in shared seed 000), to the English label's key. */
const JAPANESE: Record<string, string> = {
  成功リクエスト: "successfulrequests:",
  失敗リクエスト: "failedrequests:",
  最大リクエスト同時実行数: "maximumrequestconcurrency:",
  "ベンチマーク実行時間(s)": "benchmarkduration(s):",
  入力トークン総数: "totalinputtokens:",
  生成トークン総数: "totalgeneratedtokens:",
  "リクエストスループット(req/s)": "requestthroughput(req/s):",
  "出力トークンスループット(tok/s)": "outputtokenthroughput(tok/s):",
  "最大出力トークンスループット(tok/s)": "peakoutputtokenthroughput(tok/s):",
  最大同時リクエスト数: "peakconcurrentrequests:",
  "総トークンスループット(tok/s)": "totaltokenthroughput(tok/s):",
  "合計トークンスループット(tok/s)": "totaltokenthroughput(tok/s):"
};

/** The English key of a label, whatever language it was printed in. */
export function englishKey(label: string): string {
  const key = labelKey(label);
  return (JAPANESE[key] ?? key + ":").replace(/:$/, "");
}

export interface LatencyStat {
  metric: "ttft" | "tpot" | "itl" | "e2el";
  stat: string;
}

/** `Mean TTFT (ms)`, `P99 E2EL (ms)`, `Median E2E Latency (ms)`, `Max ITL (ms)`, `平均TTFT (ms)`, `中央値TTFT (ms)`. */
export function latencyStat(label: string): LatencyStat | null {
  const m =
    /^(mean|median|std|max|min|p\d+(?:\.\d+)?|平均|中央値|中央)\s*(ttft|tpot|itl|e2el|e2e\s*latency)\s*\(ms\)$/i.exec(
      label.trim()
    );
  if (!m) return null;
  const word = m[1].toLowerCase();
  const stat = word === "平均" ? "mean" : word === "中央値" || word === "中央" ? "median" : word;
  const metric = m[2].toLowerCase().replace(/\s+/g, "").replace("e2elatency", "e2el") as LatencyStat["metric"];
  return {metric, stat};
}

/** A printed number as a number, or null (`inf`, `not set`, text). */
export function printedNumber(value: string): number | null {
  return /^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/.test(value.trim()) ? Number(value.trim()) : null;
}

/**
 * What a serving block, or the lines the client printed just before it
 * (`Traffic request rate: 10.0`, `Maximum request concurrency: None`),
 * says about its concurrency limit and request rate. `settings` maps a
 * block label (englishKey) to a setting name.
 */
export function printedLimit(
  doc: Doc,
  start: number,
  lines: PrintedLine[],
  settings: Record<string, string>
): {none: boolean; request_rate: Scalar} {
  const inBlock = (name: string) => lines.find((l) => settings[englishKey(l.label)] === name)?.value ?? null;
  const before = (re: RegExp) => {
    for (let i = start - 1; i >= 0 && i >= start - 40; i--) {
      const m = re.exec(doc.lines[i].text);
      if (m) return m[1];
    }
    return null;
  };
  const limit = inBlock("max_concurrency") ?? before(/^\s*Max(?:imum)? request concurrency:\s*(.+?)\s*$/i);
  const rate =
    inBlock("request_rate") ?? before(/^\s*(?:Traffic request rate|Request rate configured \(RPS\)):\s*(\S+)/i);
  return {
    none: limit !== null && /^(?:none|not set)$/i.test(limit),
    request_rate: rate === null ? null : (printedNumber(rate) ?? rate)
  };
}

/** Labels only SGLang's bench_serving prints (and the section name it uses for end-to-end latency). */
const SGLANG_KEYS = new Set([
  "backend",
  "trafficrequestrate",
  "maxrequestconcurrency",
  "maxreqeuestconcurrency",
  "concurrency",
  "totalgeneratedtokens(retokenized)",
  "inputtokenthroughput(tok/s)",
  "acceptlength",
  "totalinputtexttokens",
  "totalinputvisiontokens"
]);

/** Which tool printed this block: SGLang's labels, else vLLM's. */
function servingFlavor(lines: PrintedLine[]): "sglang" | "vllm" {
  return lines.some((l) => SGLANG_KEYS.has(englishKey(l.label)) || /e2elatency/i.test(labelKey(l.label)))
    ? "sglang"
    : "vllm";
}

export interface ServingBlock {
  start: number;
  end: number;
  lines: PrintedLine[];
  flavor: "sglang" | "vllm";
}

/** Every serving block in the document. */
export function findServingBlocks(doc: Doc): ServingBlock[] {
  const blocks: ServingBlock[] = [];
  for (let i = 0; i < doc.lines.length; i++) {
    if (!isBanner(doc.lines[i].text)) continue;
    const end = blockEnd(doc, i);
    const lines = printedLines(doc, i, end);
    blocks.push({start: i, end, lines, flavor: servingFlavor(lines)});
    i = end;
  }
  return blocks;
}
