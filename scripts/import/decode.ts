/**
 * Raw bytes → text. UTF-8 (with or without BOM) and UTF-16 with a BOM (what
 * PowerShell's `>` writes) are read; anything else is refused rather than
 * guessed, so no value is ever read from mis-decoded text.
 */
export function decodeText(bytes: Uint8Array): {text: string} | {error: string; line: number} {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return {text: new TextDecoder("utf-16le").decode(bytes.subarray(2))};
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return {text: new TextDecoder("utf-16be").decode(bytes.subarray(2))};
  try {
    return {text: new TextDecoder("utf-8", {fatal: true, ignoreBOM: false}).decode(bytes)};
  } catch {
    // Name the line of the first byte that is not UTF-8.
    const good = new TextDecoder("utf-8").decode(bytes);
    const bad = good.indexOf("\uFFFD");
    const line = bad < 0 ? 1 : good.slice(0, bad).split(/\r\n|\n|\r/).length;
    return {error: "UTF-8 text (this looks like a binary file or another encoding)", line};
  }
}
