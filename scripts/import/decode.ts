/**
 * Raw bytes → text. UTF-8 (with or without BOM) and UTF-16 with a BOM (what
 * PowerShell's `>` writes) are read; anything else is refused rather than
 * guessed, so no value is ever read from mis-decoded text.
 */
export function decodeText(bytes: Uint8Array): {text: string} | {error: string; line: number} {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return {text: new TextDecoder("utf-16le").decode(bytes.subarray(2))};
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return {text: new TextDecoder("utf-16be").decode(bytes.subarray(2))};
  try {
    const text = new TextDecoder("utf-8", {fatal: true, ignoreBOM: false}).decode(bytes);
    // A NUL is never in a tool's text output: a binary file, or UTF-16 without its byte-order mark.
    const nul = text.indexOf("\0");
    if (nul >= 0)
      return {
        error: "text without NUL bytes (a NUL here means a binary file, or UTF-16 without a byte-order mark)",
        line: text.slice(0, nul).split(/\r\n|\n|\r/).length
      };
    return {text};
  } catch {
    // Name the line of the first byte that is not UTF-8.
    const good = new TextDecoder("utf-8").decode(bytes);
    const bad = good.indexOf("\uFFFD");
    const line = bad < 0 ? 1 : good.slice(0, bad).split(/\r\n|\n|\r/).length;
    return {error: "UTF-8 text (this looks like a binary file or another encoding)", line};
  }
}

/** Text back to bytes in the encoding decodeText found (its BOM kept): what a redacted input is stored as. */
export function encodeLike(original: Uint8Array, text: string): Uint8Array {
  if (original[0] === 0xff && original[1] === 0xfe)
    return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
  if (original[0] === 0xfe && original[1] === 0xff)
    return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, "utf16le").swap16()]);
  const bom = original[0] === 0xef && original[1] === 0xbb && original[2] === 0xbf;
  return bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")]) : Buffer.from(text, "utf8");
}
