/**
 * An A/B run's result as `benchbook bench` prints it: one row per pair, test
 * and metric — each side's mean ± sd over its invocations, B/A with its 95%
 * interval, whether the change is detected, and the smallest change the
 * run's noise lets it detect with 95% power.
 */
import {alignedTable} from "../compare/format.js";
import {percent} from "../history/format.js";
import type {AbResult} from "./ab-compare.js";
import {POWER} from "./ab-compare.js";

const num = (x: number) => String(+x.toPrecision(6));
const side = (s: AbResult["a"]) => `${num(s.mean)} ± ${s.sd === null ? "?" : num(s.sd)} (n=${s.values.length})`;

export function abTable(results: AbResult[]): string {
  const header = ["Cell", "Test", "Unit", "A", "B", "B/A", "95% CI", "Detected", `Detectable (${POWER * 100}% power)`];
  const numeric = [false, false, false, true, true, true, false, false, true];
  const rows = results.map((r) => [
    r.cell,
    r.test,
    r.unit,
    side(r.a),
    side(r.b),
    percent(r.ratio),
    r.low === null || r.high === null ? "unbounded" : `[${percent(r.low)}, ${percent(r.high)}]`,
    r.detected ? `yes: ${r.direction}` : "no",
    r.detectable === null ? "?" : `±${(r.detectable * 100).toFixed(1)}%`
  ]);
  const labels = [...new Set(results.map((r) => `A = ${r.a.label}, B = ${r.b.label}`))];
  return `${labels.join("; ")}\n${alignedTable({header, numeric, rows})}\n`;
}

/** The `--json` event of one result. */
export function abEvent(r: AbResult): string {
  const {comparison: _comparison, ...rest} = r;
  return `${JSON.stringify({event: "ab", ...rest})}\n`;
}
