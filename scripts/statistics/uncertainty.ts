/**
 * Ratios and differences of two measured values with their uncertainty (site and `benchbook compare`). With n on
 * both sides: Welch's t-test and Fieller's 95% interval with the same t and df, so the interval contains 1 exactly
 * when the test says "within noise". Without n: ±1 sd propagated and overlap. The result names its method.
 */
import jstat from "jstat";

export interface Measured {
  value: number;
  stddev: number | null;
  stddev_kind: string | null;
  repetitions: number | null;
}

export type Method = "welch" | "sd-overlap" | "none";

export interface Comparison {
  /** b / a. */
  ratio: number;
  /** b − a. */
  difference: number;
  /** Interval for the ratio (95% with "welch", ±1 sd with "sd-overlap"), null when no dispersion is known or it is unbounded (see note). */
  low: number | null;
  high: number | null;
  /** Welch's two-sided p-value, when computable. */
  p: number | null;
  /** The difference cannot be told from noise. null: not enough information to say. */
  noise: boolean | null;
  method: Method;
  /** One line saying how the interval was computed, for captions and tooltips. */
  note: string;
  /** With "welch": the standard error of b − a and its Welch–Satterthwaite degrees of freedom (for power: scripts/bench/ab-compare.ts). */
  se?: number;
  df?: number;
}

const {studentt} = jstat as unknown as {
  studentt: {inv(p: number, df: number): number; cdf(x: number, df: number): number};
};

/** Sample standard deviation from what was printed. */
export function sampleSd(m: Measured): number | null {
  if (m.stddev === null) return null;
  if (m.stddev_kind === "population" && m.repetitions !== null && m.repetitions > 1)
    return m.stddev * Math.sqrt(m.repetitions / (m.repetitions - 1));
  return m.stddev;
}

export function compareMeans(a: Measured, b: Measured, level = 0.95): Comparison {
  const ratio = b.value / a.value;
  const difference = b.value - a.value;
  const sa = sampleSd(a);
  const sb = sampleSd(b);
  if (sa === null || sb === null) {
    return {
      ratio,
      difference,
      low: null,
      high: null,
      p: null,
      noise: null,
      method: "none",
      note: "no dispersion reported: no interval"
    };
  }
  const na = a.repetitions;
  const nb = b.repetitions;
  if (na !== null && nb !== null && na > 1 && nb > 1) {
    const va = (sa * sa) / na;
    const vb = (sb * sb) / nb;
    const se = Math.sqrt(va + vb);
    // Welch–Satterthwaite degrees of freedom.
    const df = va + vb === 0 ? na + nb - 2 : (va + vb) ** 2 / ((va * va) / (na - 1) + (vb * vb) / (nb - 1));
    const t = difference / se;
    const p = se === 0 ? (difference === 0 ? 1 : 0) : 2 * (1 - studentt.cdf(Math.abs(t), df));
    const q = studentt.inv(1 - (1 - level) / 2, df);
    const [low, high] = fieller(a.value, b.value, va, vb, q);
    return {
      ratio,
      difference,
      low,
      high,
      p,
      noise: p >= 1 - level,
      method: "welch",
      se,
      df,
      note: `${low === null ? `${Math.round(level * 100)}% interval unbounded (the first mean cannot be told from zero)` : `${Math.round(level * 100)}% interval`}, Welch t-test (n=${na} and ${nb}, ${a.stddev_kind ?? "?"}/${b.stddev_kind ?? "?"} sd)`
    };
  }
  const rel = Math.hypot(sa / a.value, sb / b.value);
  const overlap = Math.abs(difference) <= sa + sb;
  return {
    ratio,
    difference,
    low: ratio * (1 - rel),
    high: ratio * (1 + rel),
    p: null,
    noise: overlap,
    method: "sd-overlap",
    note: "±1 sd propagated; repetitions unknown, so no significance test (noise = the ±1 sd ranges overlap)"
  };
}

/**
 * Fieller's interval for b/a: every ρ with |b − ρa| ≤ q·√(vb + ρ²·va), the
 * ratios the test of b − ρa at this level cannot reject. [null, null] when it
 * is unbounded (a's mean cannot be told from zero).
 */
export function fieller(a: number, b: number, va: number, vb: number, q: number): [number | null, number | null] {
  const q2 = q * q;
  const lead = a * a - q2 * va;
  if (lead <= 0) return [null, null];
  const root = Math.sqrt(a * a * b * b - lead * (b * b - q2 * vb));
  return [(a * b - root) / lead, (a * b + root) / lead];
}

/** `2.08× [2.05–2.11]` */
export function formatRatio(c: Comparison, digits = 2): string {
  const f = (x: number) => x.toFixed(digits);
  return c.low === null || c.high === null ? `${f(c.ratio)}×` : `${f(c.ratio)}× [${f(c.low)}–${f(c.high)}]`;
}

/** `+108%`: the change of b relative to a. */
export function formatChange(c: Comparison, digits = 0): string {
  const pct = (c.ratio - 1) * 100;
  return `${pct >= 0 ? "+" : "−"}${Math.abs(pct).toFixed(digits)}%`;
}
