/** What the store holds for one input, built in one place for every import path: a file read whole, a streamed log, a bench capture. */
import type {ParsedRun} from "../formats/types.js";
import type {Run} from "../schema/schema.js";
import {SCHEMA_VERSION} from "../schema/schema.js";
import type {SourceRecord, StoredInput} from "../store/store.js";
import {rawExtension} from "../store/store.js";
import {runIds} from "./run-id.js";

export interface InputFacts {
  /** Of the bytes stored (after any redaction): the store's name for the input. */
  sha256: string;
  name: string;
  bytes: number;
  lines: number;
  imported_at: string;
  tags: Record<string, string>;
  blocks: SourceRecord["blocks"];
  ignored: SourceRecord["ignored"];
  read_with?: SourceRecord["read_with"];
  attachments?: SourceRecord["attachments"];
  redactions?: SourceRecord["redactions"];
}

export interface RunOptions {
  /** Added to each run's own extra (a capture's summary and environment). */
  extra?: Record<string, unknown>;
  /** The blocks that name the runs when the source record lists none (a capture's one run from its record, line 1). */
  idBlocks?: readonly {line_start: number; runs: number}[];
}

/** The source record and the runs, with ids (run-id.ts) and provenance; runs in the order their blocks are listed. */
export function storedInput(facts: InputFacts, parsed: readonly ParsedRun[], options: RunOptions = {}): StoredInput {
  const {sha256, name, bytes, lines, imported_at, tags, blocks, ignored, read_with, attachments, redactions} = facts;
  const source: SourceRecord = {
    sha256,
    name,
    raw: `raw/${sha256}.${rawExtension(name)}`,
    bytes,
    lines,
    imported_at,
    tags,
    blocks,
    ignored,
    ...(read_with ? {read_with} : {}),
    ...(attachments ? {attachments} : {}),
    ...(redactions?.length ? {redactions} : {})
  };
  const ids = runIds(sha256, options.idBlocks ?? blocks);
  const runs: Run[] = parsed.map(({line_start, line_end, ...run}, i) => ({
    schema: SCHEMA_VERSION,
    id: ids[i],
    ...run,
    source: {sha256, name, line_start, line_end},
    imported_at,
    tags: {...tags},
    ...(options.extra ? {extra: {...run.extra, ...options.extra}} : {}),
    results: run.results
  }));
  return {schema: SCHEMA_VERSION, source, runs};
}
