/**
 * The statistics of the endpoint client, in one place so their exact
 * definitions can be read (and tested) next to each other. They follow
 * llama-benchy (eugr/llama-benchy, src/llama_benchy/results.py) so that a
 * figure measured here means what the same figure means in its tables.
 */

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * Population standard deviation (divides by n), as numpy's `np.std` that
 * llama-benchy and vLLM use; recorded as `stddev_kind: "population"`.
 */
export function populationStd(values: readonly number[]): number | null {
  const m = mean(values);
  if (m === null) return null;
  let sum = 0;
  for (const v of values) sum += (v - m) * (v - m);
  return Math.sqrt(sum / values.length);
}

/** Seconds in the sliding window of the peak rate. */
export const PEAK_WINDOW_S = 1;

/**
 * Peak tokens per second: the most token arrivals inside any window of
 * `windowMs` ending at an arrival, divided by the window. When all arrivals
 * span less than one window, llama-benchy uses arrivals / span instead (so a
 * short burst's peak is not below its mean rate); so do we. Null for fewer
 * than two arrivals or a zero span (no rate can be defined).
 */
export function peakRate(arrivalsMs: readonly number[], windowMs = PEAK_WINDOW_S * 1000): number | null {
  if (arrivalsMs.length < 2) return null;
  const sorted = [...arrivalsMs].sort((a, b) => a - b);
  const span = sorted[sorted.length - 1] - sorted[0];
  if (span <= 0) return null;
  if (span < windowMs) return sorted.length / (span / 1000);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    // The window (end - windowMs, end]: an arrival exactly windowMs earlier is outside it.
    while (start < end && sorted[start] <= sorted[end] - windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best / (windowMs / 1000);
}
