/** Tool output pasted behind a Markdown quote or a comment marker; line numbers stay the physical ones. */

/** `>`, `> >`, `>>` with the spaces around them: a Markdown blockquote, at any depth. */
const QUOTE = /^[ \t]{0,3}(?:>[ \t]?)+/;
/** A comment marker and one space: `# `, `#`, `// `. Markdown headings (`## x`) are not comment markers. */
const COMMENT = /^[ \t]*(#(?!#)|\/\/)[ \t]?/;

/** Lines that, once unprefixed, are plainly tool output (table rows, result blocks, key=value results, log lines). */
const OUTPUT = [
  /^\s*\|.*\|\s*$/,
  /^\s*={3,}.*={3,}\s*$/,
  /^\s*[A-Za-z][\w ()/%.-]*:\s+-?\d+(?:\.\d+)?(?:\s|$)/,
  /\b[a-z_]+_tps\s*=/,
  /^\s*\{.*"[a-z_]+"\s*:/,
  /\b(?:prompt eval time|eval time|total time)\s*=/,
  /^\s*(?:main|ggml_\w+|llama_\w+|load_tensors)\s*:/
];

/** `# llama-server version: 8396 (054d8b0f2)`: a version note above a command is a comment the reader reads as context, not output. */
const VERSION_NOTE = /^\s*[\w.-]+(?:\s+[\w.-]+)?\s+version\s*:/i;

const looksLikeOutput = (text: string) => !VERSION_NOTE.test(text) && OUTPUT.some((re) => re.test(text));

/**
 * Each physical line without its paste prefix. Quote prefixes are always
 * removed (a quoted line is the text it quotes). Comment markers are removed
 * only from runs of at least two consecutive commented lines of which one,
 * unprefixed, reads as tool output: a lone `# note` stays a comment, which
 * the document reader uses as context.
 */
export function withoutPastePrefixes(lines: readonly string[]): string[] {
  const out = lines.map((line) => {
    const m = QUOTE.exec(line);
    return m && m[0].includes(">") ? line.slice(m[0].length) : line;
  });
  for (let i = 0; i < out.length; i++) {
    const marker = COMMENT.exec(out[i])?.[1];
    if (!marker) continue;
    let end = i;
    while (end + 1 < out.length && COMMENT.exec(out[end + 1])?.[1] === marker) end++;
    const stripped = out.slice(i, end + 1).map((l) => l.replace(COMMENT, ""));
    if (end > i && stripped.some(looksLikeOutput)) stripped.forEach((l, k) => (out[i + k] = l));
    i = end;
  }
  return out;
}
