import type {Scalar} from "../../schema/schema.js";

/** A table cell or option value: numbers as numbers, true/false as booleans, the rest as text. */
export function scalarFromText(text: string): Scalar {
  const t = text.trim();
  if (t === "true") return true;
  if (t === "false") return false;
  if (/^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/.test(t)) return Number(t);
  return t;
}
