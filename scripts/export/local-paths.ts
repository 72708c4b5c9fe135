/**
 * Absolute local paths (`/home/alice/models/x.gguf`, `/mnt/nas/bob/x.gguf`,
 * `/data/…`, `C:\Users\carol\…`, `D:\models\…`) name people, machines and
 * their folders: what the export publishes shows their base name (`x.gguf`)
 * instead, unless `--keep-paths` is given. Line breaks are never touched,
 * so every value still points at its line.
 *
 * Kept as they are: system folders (`/usr/…`, `/dev/…`, `/proc/…`: the same
 * on every machine), HTTP routes (`/v1/completions`), a path of one segment
 * (`/metrics`), and anything inside a URL but `file://` or after a letter or
 * digit (`tok/s`, `https://host/a/b`).
 */

const SEP = String.raw`(?:\\+|/)`;
/** A path segment: no separator, space, quote, bracket of markup, or comma (llama.cpp's lists: `-m /a/x.gguf,/a/y.gguf`). */
const SEGMENT = String.raw`[^\\/\s"'\x60<>|,]+`;
const SYSTEM = String.raw`(?:usr|bin|sbin|lib\w*|etc|dev|proc|sys|run|v\d+|api)${SEP}`;
/**
 * Group 1: a home directory (its own path shows as `~`); group 2: any other
 * absolute path of two segments or more, or a drive letter's; group 3: the
 * segments after. Separators `/` or backslashes (one, or escaped once or twice in JSON).
 */
const LOCAL_PATH = new RegExp(
  String.raw`(?:(?<![\w.~/\\-])|(?<=file://))(?:(/home/${SEGMENT}|/Users/${SEGMENT}|/root(?![^\\/\s"'\x60<>|,])|[A-Za-z]:${SEP}Users${SEP}${SEGMENT})|(/(?!${SYSTEM})${SEGMENT}(?=${SEP}${SEGMENT})|[A-Za-z]:${SEP}${SEGMENT}))((?:${SEP}${SEGMENT})*)`,
  "g"
);
/** A quick test: text without these holds no local path. */
const HINT = /\/[^\s/]+\/|[A-Za-z]:\\/;

/** Text with every local absolute path replaced by its base name (`~` for a home directory itself). */
export function hideLocalPaths(text: string): string {
  if (!HINT.test(text)) return text;
  return text.replace(LOCAL_PATH, (_, home: string | undefined, other: string | undefined, rest: string) => {
    const last = rest.split(/\\+|\//).filter(Boolean).pop();
    return last ?? (home ? "~" : other!.split(/\\+|\//).filter(Boolean).pop()!);
  });
}

/** The same quick test on bytes, without decoding them (a raw file without a `/x/` or `X:\` holds no local path). */
export function mayHoldLocalPaths(bytes: Buffer): boolean {
  return bytes.includes("/") || bytes.includes(":\\");
}
