/**
 * The hand-entered observations format (docs/hand-entered.md), as a zod
 * schema: the one definition the YAML and CSV readers both validate against.
 * Objects are strict — a misspelt key (`vaule:`) is an error, not a silently
 * dropped number; anything free-form belongs in `extra` or `notes`.
 */
import {z} from "zod";

const MARKER = "observations/1";

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()], {error: "a text, number, true/false or null"});
const text = z.string({error: "a text (quote it if it looks like a number or a date)"});
const count = z.number({error: "a number"}).int({error: "a whole number"}).nonnegative({error: "a number ≥ 0"});
const lines = z.union(
  [
    count,
    text.regex(/^\d+(?:\s*-\s*\d+)?(?:\s*,\s*\d+(?:\s*-\s*\d+)?)*$/, {
      error: 'lines like "17", "17-21" or "18, 46-128"'
    }),
    z.tuple([count, count])
  ],
  {error: 'a line number, lines like "17-21" or "18, 46-128", or [first, last]'}
);
const notes = z.union([text, z.array(text)], {error: "a text or a list of texts"});

const gpu = z.strictObject({
  index: count.optional(),
  name: text,
  vram_mib: z.number({error: "a number (MiB as printed)"}).optional(),
  compute_capability: text.optional(),
  extra: z.record(z.string(), scalar).optional()
});

const hardware = z.strictObject({
  stated: text.optional(),
  gpus: z.array(gpu).optional(),
  cpu: text.optional(),
  backend: text.optional(),
  vram_total_mib: z.number({error: "a number (MiB as printed)"}).optional()
});

const model = z.strictObject({
  name: text.optional(),
  file: text.optional(),
  architecture: text.optional(),
  quant: text.optional(),
  ftype: text.optional(),
  size_value: z.number({error: "a number"}).optional(),
  size_unit: text.optional(),
  params_value: z.number({error: "a number"}).optional(),
  params_unit: text.optional()
});

const source = z.strictObject({
  title: text.optional(),
  url: text.optional(),
  document: text.optional(),
  commit: text.optional(),
  author: text.optional(),
  date: text.optional(),
  language: text.optional(),
  lines: lines.optional()
});

const STATUSES = ["ok", "oom", "error", "timeout", "skipped"] as const;
const SCOPES = ["run", "request", "interval", "cumulative"] as const;

const entry = z
  .strictObject({
    metric: text,
    unit: text.optional(),
    stat: text
      .regex(/^(?:value|mean|median|peak|typical|min|max|total|p\d{1,2}(?:\.\d+)?)$/, {
        error: "one of value, mean, median, peak, typical, min, max, total, pNN"
      })
      .optional(),
    value: z
      .number({error: "a number (write the figure without thousands separators; keep the written form in text)"})
      .nullable()
      .optional(),
    low: z.number({error: "a number"}).optional(),
    high: z.number({error: "a number"}).optional(),
    approximate: z.boolean({error: "true or false"}).optional(),
    text: text.optional(),
    status: z.enum(STATUSES, {error: `one of ${STATUSES.join(", ")}`}).optional(),
    detail: text.optional(),
    test: text.optional(),
    kind: text.optional(),
    n_prompt: count.nullable().optional(),
    n_gen: count.nullable().optional(),
    n_depth: count.nullable().optional(),
    concurrency: z.number({error: "a number"}).nullable().optional(),
    scope: z.enum(SCOPES, {error: `one of ${SCOPES.join(", ")}`}).optional(),
    gpu: count.optional(),
    label: text.optional(),
    line: lines.optional(),
    settings: z.record(z.string(), scalar).optional(),
    model: model.optional(),
    notes: notes.optional(),
    extra: z.record(z.string(), z.unknown()).optional()
  })
  .superRefine((e, ctx) => {
    const ok = (e.status ?? "ok") === "ok";
    const range = e.low !== undefined || e.high !== undefined;
    if (ok && e.unit === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["unit"],
        message: 'a unit (as written: tok/s, s, MiB, GB, %, tokens…; "" when the writeup states none)'
      });
    if (ok && range && (e.low === undefined || e.high === undefined))
      ctx.addIssue({
        code: "custom",
        path: [e.low === undefined ? "low" : "high"],
        message: "both low and high for a range"
      });
    if (ok && range && e.value !== undefined && e.value !== null)
      ctx.addIssue({code: "custom", path: ["value"], message: "either value or low/high, not both"});
    if (ok && !range && (e.value === undefined || e.value === null))
      ctx.addIssue({
        code: "custom",
        path: [],
        message: "a value (or low and high) for an ok entry; a failed configuration says status: oom/error/…"
      });
    if (ok && range && e.low !== undefined && e.high !== undefined && e.low > e.high)
      ctx.addIssue({code: "custom", path: ["high"], message: `high ≥ low (${e.low})`});
    if (!ok && (range || (e.value !== undefined && e.value !== null)))
      ctx.addIssue({
        code: "custom",
        path: ["status"],
        message: "no value for a failed configuration (value is null when status is not ok)"
      });
  });

/** What a group of entries shares: everything of the header but the marker and the source. */
const shared = {
  runtime: text.optional(),
  runtime_version: text.optional(),
  hardware: hardware.optional(),
  model: model.optional(),
  settings: z.record(z.string(), scalar).optional(),
  command: text.optional(),
  notes: notes.optional(),
  lines: lines.optional(),
  /** Other facts the writeup states about the runs (model metadata, host memory), kept on run.extra. */
  extra: z.record(z.string(), z.unknown()).optional()
};

const run = z.strictObject({label: text, ...shared, entries: z.array(entry).min(1, {error: "at least one entry"})});

export const observationsSchema = z
  .strictObject({
    benchbook: z.literal(MARKER, {error: `"${MARKER}" (the format and its version)`}),
    source: source,
    /**
     * The writeup the numbers were read from, as a path relative to this file
     * (`./my-post.md`): `benchbook import` stores it verbatim beside the
     * observations and checks that each entry's `line` holds its `text`.
     */
    writeup: text
      .regex(/^(?![a-z][a-z0-9+.-]*:\/\/)/i, {
        error: "a path to the writeup file relative to this file (a URL goes in source.url)"
      })
      .optional(),
    entered_by: text.optional(),
    entered_at: text.optional(),
    ...shared,
    entries: z.array(entry).optional(),
    runs: z.array(run).optional()
  })
  .superRefine((o, ctx) => {
    if (!o.entries?.length && !o.runs?.length)
      ctx.addIssue({code: "custom", path: [], message: "entries (or runs, each with entries)"});
  });

export type Observations = z.infer<typeof observationsSchema>;
export type Entry = z.infer<typeof entry>;
export type RunGroup = z.infer<typeof run>;
export type Lines = z.infer<typeof lines>;
