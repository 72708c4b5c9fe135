/**
 * Run ids: `<first 12 hex of the input's sha256>-L<line>` where line is the
 * first line of the block the run was read from (`-L26.2` for the second run
 * starting on the same line, e.g. two tables flattened onto one line).
 *
 * Ids depend only on the input's bytes and where the block sits in it, so a
 * re-import, or a reparse after benchbook learned to read *other* blocks of
 * the same input, keeps every existing id: links to runs stay valid.
 */
export function runIds(sha256: string, blocks: readonly {line_start: number; runs: number}[]): string[] {
  const prefix = sha256.slice(0, 12);
  const perLine = new Map<number, number>();
  const ids: string[] = [];
  for (const block of blocks) {
    for (let i = 0; i < block.runs; i++) {
      const k = (perLine.get(block.line_start) ?? 0) + 1;
      perLine.set(block.line_start, k);
      ids.push(`${prefix}-L${block.line_start}${k > 1 ? `.${k}` : ""}`);
    }
  }
  return ids;
}
