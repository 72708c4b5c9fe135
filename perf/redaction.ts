/**
 * What secret redaction costs an import: the read of real inputs (every real
 * fixture of the repository, and a real llama-server log from the H100 run
 * repeated to tens of MB) with redaction and without, side by side in one
 * process, each input both ways in turn, CPU time, median of the repetitions: readInput
 * (scripts/import/import.ts) as import calls it, and with its redaction
 * replaced by one that finds nothing. Redaction alone is timed too (MB/s).
 *
 *   npm run perf -- redaction --repeat 5 --log-mb 16
 */
import {readdirSync, readFileSync, statSync} from "node:fs";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {redactSecrets} from "../scripts/context/redact.js";
import {decodeText} from "../scripts/import/decode.js";
import {readInput} from "../scripts/import/import.js";

const FIXTURES = fileURLToPath(new URL("../test/fixtures/", import.meta.url));
const LOG = join(
  FIXTURES,
  "captured/h100/run1/store/raw/f21d58f5b4cf8c52e42e17a0105697fcb6e3f3fe105960a9dad478fe7c8577bc.log"
);
const now = () => new Date("2026-01-01T00:00:00Z");

interface Input {
  name: string;
  bytes: Buffer;
}

export interface RedactionFigures {
  inputs: number;
  mb: number;
  /** Median CPU seconds to read all inputs, with redaction (readInput) and without. */
  with_s: number;
  without_s: number;
  /** (with − without) / without, in percent. */
  overhead_pct: number;
  /** redactSecrets alone over the decoded text, MB/s. */
  redact_mb_per_s: number;
  /** Secrets found (a real input should have none: the figure is the cost of looking). */
  redactions: number;
}

/** No redaction: the text as it is. */
const none = (text: string) => ({text, redactions: []});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** CPU seconds (user + system, all threads) that `fn` takes: on a loaded machine, steadier than wall time. */
function cpuSeconds(fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

function measure(inputs: Input[], repeat: number): RedactionFigures {
  const texts = inputs.map((i) => (decodeText(i.bytes) as {text: string}).text);
  const withTimes: number[] = [];
  const withoutTimes: number[] = [];
  const redactTimes: number[] = [];
  let redactions = 0;
  for (let r = 0; r < repeat; r++) {
    // Each input read both ways in turn, the order alternating: load and heap state fall on both alike.
    let [withS, withoutS] = [0, 0];
    inputs.forEach((input, i) => {
      const on = () => (withS += cpuSeconds(() => readInput(input, {now})));
      const off = () => (withoutS += cpuSeconds(() => readInput(input, {now, redact: none})));
      if ((r + i) % 2) [on(), off()];
      else [off(), on()];
    });
    withTimes.push(withS);
    withoutTimes.push(withoutS);
    redactTimes.push(
      cpuSeconds(() => (redactions = texts.reduce((n, text) => n + redactSecrets(text).redactions.length, 0)))
    );
  }
  const mb = inputs.reduce((n, i) => n + i.bytes.length, 0) / 1e6;
  const [withS, withoutS] = [median(withTimes), median(withoutTimes)];
  return {
    inputs: inputs.length,
    mb: round(mb),
    with_s: round(withS),
    without_s: round(withoutS),
    overhead_pct: round(((withS - withoutS) / withoutS) * 100, 1),
    redact_mb_per_s: round(mb / median(redactTimes), 1),
    redactions
  };
}

const round = (x: number, digits = 3) => Number(x.toFixed(digits));

/** Every fixture that reads: the real corpus, seeds, captured runs, each tool's outputs. */
function corpus(): Input[] {
  return readdirSync(FIXTURES, {recursive: true, encoding: "utf8"})
    .filter(
      (f) =>
        !f.endsWith("README.md") &&
        !f.includes("/store/runs/") &&
        statSync(join(FIXTURES, f)).isFile() &&
        statSync(join(FIXTURES, f)).size < 4e6
    )
    .sort()
    .map((f) => ({name: f, bytes: readFileSync(join(FIXTURES, f))}))
    .filter((input) => {
      try {
        readInput(input, {now});
        return true;
      } catch {
        return false; // deliberately broken fixtures: no reading to time
      }
    });
}

export async function redactionBenchmark({repeat = 5, logMb = 16}: {repeat?: number; logMb?: number} = {}): Promise<
  Record<string, RedactionFigures>
> {
  const log = readFileSync(LOG);
  const copies = Math.max(1, Math.round((logMb * 1e6) / log.length));
  return {
    corpus: measure(corpus(), repeat),
    server_log: measure([{name: "server.log", bytes: Buffer.concat(Array(copies).fill(log))}], repeat)
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  console.log(JSON.stringify(await redactionBenchmark(), null, 2));
