/**
 * Run ids: `<12 hex of the input's sha256>-L<first line>` (`-L26.2` for a second run on one line). They depend
 * only on the bytes and the block's place, so re-import and reparse keep links valid.
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
