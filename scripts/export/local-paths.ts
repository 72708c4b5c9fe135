/**
 * Absolute paths under a home directory (`/home/alice/models/x.gguf`,
 * `/Users/bob/…`, `/root/…`, `C:\Users\carol\…`) name a person and their
 * folders: what the export publishes shows their base name (`x.gguf`)
 * instead, unless `--keep-paths` is given. Line breaks are never touched,
 * so every value still points at its line.
 */

const SEP = String.raw`(?:\\+|/)`;
const SEGMENT = String.raw`[^\\/\s"'\x60<>|]+`;
/** A home directory, then any further segments; separators `/` or backslashes (one, or escaped once or twice in JSON). */
const HOME_PATH = new RegExp(String.raw`(?<![\w.~/\\-])(?:/home/${SEGMENT}|/Users/${SEGMENT}|/root|[A-Za-z]:${SEP}Users${SEP}${SEGMENT})((?:${SEP}${SEGMENT})*)`, "g");
/** A quick test: text without these holds no home path. */
const HINT = /\/home\/|\/Users\/|\/root|:(?:\\+|\/)Users/;

/** Text with every home-directory path replaced by its base name (`~` for the home directory itself). */
export function hideLocalPaths(text: string): string {
  if (!HINT.test(text)) return text;
  return text.replace(HOME_PATH, (_, rest: string) => {
    const last = rest.split(/\\+|\//).filter(Boolean).pop();
    return last ?? "~";
  });
}

/** The same quick test on bytes, without decoding them (most raw files hold no home path). */
export function mayHoldLocalPaths(bytes: Buffer): boolean {
  return ["/home/", "/Users/", "/root", "\\Users", ":/Users"].some((s) => bytes.includes(s));
}
