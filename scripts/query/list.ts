/** `benchbook list`: one row per run, from the index (connection.ts), in store order. */
import type {Store} from "../store/store.js";
import {openStoreQuery} from "./connection.js";

export interface RunListing {
  id: string;
  source: string;
  lines: string;
  tool: string;
  /** The run's model, then those its results override, in order of first appearance. */
  model: string;
  hardware: string;
  /** When the benchmark ran if the output says, else when it was imported. */
  date: string;
  results: number;
  tags: Record<string, string>;
}

/** `keepOpen`: leave the database to the process's end (the CLI's, Terminal.exitsAfter). */
export async function listRuns(store: Store, {keepOpen = false} = {}): Promise<RunListing[]> {
  const query = await openStoreQuery(store);
  try {
    const reader = await query.connection.runAndReadAll(`
      WITH labels AS (
        -- A run's groups are numbered as its results first meet them (index.ts), so the results need not be read.
        SELECT g.input_no, g._run, g.model_label, min(g._group) AS first
        FROM groups g JOIN runs r USING (input_no, _run) WHERE r.results > 0 AND coalesce(g.model_label, '') <> '' GROUP BY ALL
      ), per_run AS (
        SELECT input_no, _run, list(model_label ORDER BY first) AS labels FROM labels GROUP BY ALL
      )
      SELECT r.run_id, r.file, r.run_line_start, r.run_line_end, r.tool, r.model_label, r.hardware, r.date, r.results, r.tags, p.labels
      FROM runs r LEFT JOIN per_run p USING (input_no, _run)
      ORDER BY r.input_no, r._run`);
    return reader.getRowObjectsJS().map((r) => ({
      id: String(r.run_id),
      source: String(r.file),
      lines: `${r.run_line_start}-${r.run_line_end}`,
      tool: String(r.tool),
      model:
        [...new Set([r.model_label as string | null, ...((r.labels as string[] | null) ?? [])])]
          .filter(Boolean)
          .join(", ") || "?",
      hardware: (r.hardware as string | null) ?? "?",
      date: String(r.date),
      results: Number(r.results),
      tags: JSON.parse(String(r.tags)) as Record<string, string>
    }));
  } finally {
    if (!keepOpen) query.close();
  }
}
