/**
 * The sbatch script of a bench plan: one job array, one task per cell. The
 * script holds only paths benchbook chose (quoted); the cells travel in a
 * file read by Node on the node, so no plan value ever reaches a shell.
 */
import {quote} from "shell-quote";
import {UsageError} from "../cli/io.js";

export interface SlurmOptions {
  partition?: string;
  /** `--gres`, e.g. `gpu:1`. */
  gres?: string;
  /** `--time`, e.g. `30`, `1:00:00`, `1-00:00:00`. */
  time?: string;
  /** At most this many tasks at once (`--array=0-N%K`). */
  arrayParallelism?: number;
}

export interface SlurmJob {
  name: string;
  /** How many cells (array tasks). */
  tasks: number;
  /** Directory on the shared filesystem: the cells file and the tasks' logs. */
  dir: string;
  cellsFile: string;
  /** The working directory the plan's relative paths are read from. */
  cwd: string;
  /** argv of one task, the cell chosen by SLURM_ARRAY_TASK_ID inside benchbook. */
  taskArgv: string[];
  options: SlurmOptions;
}

const VALUE = /^[A-Za-z0-9_.,:=+-]+$/;

/** Checks the options' shapes at the boundary (they become #SBATCH lines). */
export function slurmOptions(raw: {
  partition?: string;
  gres?: string;
  time?: string;
  "array-parallelism"?: string;
}): SlurmOptions {
  const options: SlurmOptions = {};
  for (const key of ["partition", "gres", "time"] as const) {
    const value = raw[key];
    if (value === undefined) continue;
    if (!VALUE.test(value))
      throw new UsageError(`--${key}: invalid value "${value}" (letters, digits and . , : = + - _ only)`);
    options[key] = value;
  }
  if (options.time !== undefined && !/^(\d+-)?\d+(:\d+){0,2}$/.test(options.time))
    throw new UsageError(`--time: expected minutes, MM:SS, HH:MM:SS or D-HH:MM:SS, got "${options.time}"`);
  const k = raw["array-parallelism"];
  if (k !== undefined) {
    if (!/^[1-9]\d*$/.test(k)) throw new UsageError(`--array-parallelism: expected a positive integer, got "${k}"`);
    options.arrayParallelism = Number(k);
  }
  return options;
}

/** A Slurm job name from a plan name: sbatch takes any text, squeue's columns read better without spaces. */
export function jobName(planName: string): string {
  return `benchbook-${planName.replace(/[^A-Za-z0-9_.-]+/g, "-").slice(0, 60)}`;
}

export function sbatchScript(job: SlurmJob): string {
  const array = `0-${job.tasks - 1}${job.options.arrayParallelism ? `%${job.options.arrayParallelism}` : ""}`;
  const directives = [
    `--job-name=${job.name}`,
    `--array=${array}`,
    `--output=${job.dir}/task-%a.log`,
    `--chdir=${job.cwd}`,
    ...(job.options.partition ? [`--partition=${job.options.partition}`] : []),
    ...(job.options.gres ? [`--gres=${job.options.gres}`] : []),
    ...(job.options.time ? [`--time=${job.options.time}`] : [])
  ];
  return `#!/bin/bash
${directives.map((d) => `#SBATCH ${directive(d)}`).join("\n")}
# Written by benchbook bench --slurm: task N runs the cell on line N+1 of
# ${job.cellsFile} and imports its output into the shared store.
exec ${quote(job.taskArgv)}
`;
}

/** sbatch reads #SBATCH lines with its own tokenizer: double quotes group words, backslashes are not escapes. */
function directive(text: string): string {
  if (/^[\w.,:=%+/@-]+$/.test(text)) return text;
  if (/["\n\r]/.test(text))
    throw new UsageError(`cannot pass ${JSON.stringify(text)} to sbatch (a path with a double quote or a line break)`);
  return `"${text}"`;
}
