/**
 * Local paths name people and machines: published copies show base names unless `--keep-paths`. System
 * folders, HTTP routes, one-segment paths and URLs are kept; line breaks are never touched.
 */

const SEP = String.raw`(?:\\+|/)`;
/** A path segment: no separator, space, quote, bracket of markup, or comma (llama.cpp's lists: `-m /a/x.gguf,/a/y.gguf`). */
const SEGMENT = String.raw`[^\\/\s"'\x60<>|,]+`;
const SYSTEM = String.raw`(?:usr|bin|sbin|lib\w*|etc|dev|proc|sys|run|v\d+|api)${SEP}`;
/**
 * Group 1: a home directory (its own path shows as `~`); group 2: any other
 * absolute path of two segments or more; group 3: the segments after.
 * Separators `/` or backslashes (one, or escaped once or twice in JSON).
 * The `/` comes first and the lookbehind after it: V8 then jumps from slash
 * to slash (15× faster than a pattern that starts with the lookbehind).
 */
const POSIX_PATH = new RegExp(
  String.raw`/(?<=(?:^|[^\w.~/\\-]|file://)/)(?:(home/${SEGMENT}|Users/${SEGMENT}|root(?![^\\/\s"'\x60<>|,]))|((?!${SYSTEM})${SEGMENT}(?=${SEP}${SEGMENT})))((?:${SEP}${SEGMENT})*)`,
  "g"
);
/** The same groups for a drive letter's paths (`C:\Users\carol\…` is a home directory). */
const DRIVE_PATH = new RegExp(
  String.raw`(?<![\w.~/\\-])(?:([A-Za-z]:${SEP}Users${SEP}${SEGMENT})|([A-Za-z]:${SEP}${SEGMENT}))((?:${SEP}${SEGMENT})*)`,
  "g"
);

/** Whether a character ends a path segment (SEGMENT's exclusions). */
const ends = (c: number) =>
  c === 0x2f ||
  c === 0x5c ||
  c <= 0x20 ||
  c === 0x22 ||
  c === 0x27 ||
  c === 0x60 ||
  c === 0x3c ||
  c === 0x3e ||
  c === 0x7c ||
  c === 0x2c;

/** A character code of text, or a byte of UTF-8 (paths' separators and stops are ASCII either way). */
type Codes = string | Buffer;
const codeAt = (text: Codes, i: number) => (typeof text === "string" ? text.charCodeAt(i) : text[i]);

/** A quick test: whether the text holds `/segment/` anywhere (from slash to slash with indexOf: a regex took 15× longer). */
function hasTwoSegments(text: Codes): boolean {
  for (let i = text.indexOf("/"); i >= 0; i = text.indexOf("/", i + 1)) {
    let j = i + 1;
    while (j < text.length && !ends(codeAt(text, j))) j++;
    if (j > i + 1 && codeAt(text, j) === 0x2f) return true;
  }
  return false;
}

/** A quick test: whether the text holds `:\` (from backslash to backslash: they are rare, and a two-character search is slower). */
function hasDrive(text: Codes): boolean {
  for (let i = text.indexOf("\\"); i >= 0; i = text.indexOf("\\", i + 1)) if (codeAt(text, i - 1) === 0x3a) return true;
  return false;
}

const baseName = (_: string, home: string | undefined, other: string | undefined, rest: string) => {
  const segments = rest.split(/\\+|\//).filter(Boolean);
  // A Hugging Face cache snapshot folder's base name is a bare commit hash: keep the repository's folder name
  // (public, and how the site names the model) and drop only the local part before it.
  const n = segments.length;
  if (n >= 3 && segments[n - 2] === "snapshots" && segments[n - 3].startsWith("models--"))
    return segments.slice(n - 3).join("/");
  return (
    segments.pop() ??
    (home
      ? "~"
      : other!
          .split(/\\+|\//)
          .filter(Boolean)
          .pop()!)
  );
};

/** Text with every local absolute path replaced by its base name (`~` for a home directory itself). */
export function hideLocalPaths(text: string): string {
  // Quick tests first: most text holds no `/segment/` and no `:\`.
  const posix = hasTwoSegments(text) ? text.replace(POSIX_PATH, baseName) : text;
  return hasDrive(posix) ? posix.replace(DRIVE_PATH, baseName) : posix;
}

/** The same quick tests on bytes, without decoding them (most raw files hold no local path: they are linked, not rewritten). */
export function mayHoldLocalPaths(bytes: Buffer): boolean {
  return hasTwoSegments(bytes) || hasDrive(bytes);
}
