/** What a run contributes to ordering the site's rows. */
export interface RunPlace {
  /** The run's place in store order (inputs by hash, runs as read), from 0. */
  ordinal: number;
  hardware: string | null;
  model: string | null;
  file: string;
  rows: number;
}

/**
 * The order of runs in results.parquet: by machine, then by the model of
 * the run's first result, then by input file name, then in store order
 * (inputs by hash, runs as read). Filters most often pick a machine, a model
 * and files (src/components/shared/data.ts opens a large page with the first of
 * each, in this same order), so a selection's runs sit next to each other in
 * a few row groups. Plain code-unit comparison: the same on every machine
 * and locale (and the order of the filters' sorted values).
 */
export function runOrder(runs: RunPlace[]): RunPlace[] {
  const cmp = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
  return [...runs].sort(
    (a, b) => cmp(a.hardware, b.hardware) || cmp(a.model, b.model) || cmp(a.file, b.file) || a.ordinal - b.ordinal
  );
}
