/**
 * Secrets never reach the store: API keys, bearer tokens, passwords in URLs,
 * private keys and token-like assignments are replaced before anything is
 * written — in imported text (redactSecrets, line numbers kept) and in
 * everything `bench` captures (redactText, redactArgv, redactEnv).
 */

export const REDACTED = "[REDACTED]";

/** Names whose values are secrets: `*_TOKEN`, `*_KEY`, `*SECRET`, anything with PASSWORD, … */
export function isSecretName(name: string): boolean {
  return /(?:TOKEN|SECRET|PASSWD|API_?KEY|_KEY|CREDENTIALS?)$/i.test(name) || /PASSWORD|PASSPHRASE/i.test(name);
}

/** Command-line options whose next argument (or `=value`) is a secret (`-hft` is llama-bench's --hf-token). */
const SECRET_OPTIONS =
  /^--?(?:api-key|api_key|apikey|token|hf-token|hf_token|hft|auth-token|password|secret|access-token)$/i;

/** One secret found in text: its 1-based line and what kind of secret it looked like. */
export interface Redaction {
  line: number;
  kind: string;
}

/** A value of a secret-named assignment that is not a secret: a number, a boolean, a reference, a placeholder. */
function notACredential(name: string, value: string): boolean {
  const bare = value.replace(/^(["'])(.*)\1$/, "$2");
  if (
    bare === "" ||
    bare === REDACTED ||
    /^[$<%{*]/.test(bare) ||
    /^(?:true|false|null|none|nil|undefined)$/i.test(bare)
  )
    return true;
  // Special tokens of a tokenizer (`eos_token: </s>`), and counts such as MAX_TOKEN=512 (numbers are sacred) unless the name says password.
  if (/^(?:bos|eos|pad|unk|sep|cls|mask|add_bos|add_eos)_token$/i.test(name)) return true;
  return /^[+-]?\d+(?:\.\d+)?$/.test(bare) && !/PASSW|SECRET/i.test(name);
}

/** A secret name in text: `*_TOKEN`, `*_KEY`, `*PASSWORD*`; a bare `token:` or `key:` is too often not one. */
function isSecretAssignment(name: string): boolean {
  return isSecretName(name) && (name.includes("_") || /PASSW|PASSPHRASE|APIKEY/i.test(name));
}

/** A replacement found by a rule: `length` characters at `index` become `text`. */
interface Edit {
  index: number;
  length: number;
  text: string;
  /** Where the secret itself starts, for its line (a PEM block: after BEGIN). */
  at: number;
}

interface Rule {
  kind: string;
  /** Text without this holds nothing the rule catches (a quick indexOf/regex test before the full scan). */
  hint: RegExp;
  find(text: string): Generator<Edit>;
}

/** A rule from a regex: `replace` gives a match's replacement, or the match itself when it is no secret after all. */
function regexRule(
  kind: string,
  hint: RegExp,
  pattern: RegExp,
  replace: (m: RegExpExecArray) => string,
  at: (m: RegExpExecArray) => number = (m) => m.index
): Rule {
  return {
    kind,
    hint,
    *find(text) {
      pattern.lastIndex = 0;
      for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
        const replaced = replace(m);
        if (replaced !== m[0]) yield {index: m.index, length: m[0].length, text: replaced, at: at(m)};
      }
    }
  };
}

const IDENT = /[A-Za-z0-9_]/;
/** After a secret-named key: `=` or `:` and its value (quoted, or up to a space or a delimiter). */
const ASSIGNED = /([ \t]*[=:][ \t]*)("[^"\r\n]*"|'[^'\r\n]*'|\[REDACTED\]|[^\s,;"'}\]]+)/y;

/** Each letter as a class: V8 scans `[tT][oO]…` many times faster than the same pattern with the i flag. */
const anyCase = (word: string) => [...word].map((c) => `[${c.toLowerCase()}${c.toUpperCase()}]`).join("");
const KEYWORD_ASSIGNED = new RegExp(
  `(?:${["token", "key", "secret", "passw", "credential"].map(anyCase).join("|")})[A-Za-z0-9_]*["']?[ \\t]*[=:]`,
  "g"
);

/**
 * NAME=value, NAME: value, "name": "value" (env files, YAML, JSON, shell)
 * where NAME is secret-named and not part of a dotted key. Found from the
 * keywords outward: a regex trying every identifier is 10× slower on logs.
 */
const assignments: Rule = {
  kind: "secret-assignment",
  hint: new RegExp(KEYWORD_ASSIGNED.source),
  *find(text) {
    // A keyword, the rest of its name, a closing quote and `=` or `:`: most "token"s of a log stop here.
    const keyword = new RegExp(KEYWORD_ASSIGNED);
    for (let m = keyword.exec(text); m; m = keyword.exec(text)) {
      let start = m.index;
      let end = m.index;
      while (start > 0 && IDENT.test(text[start - 1])) start--;
      while (end < text.length && IDENT.test(text[end])) end++;
      keyword.lastIndex = end;
      const name = text.slice(start, end);
      const quote =
        (text[start - 1] === '"' || text[start - 1] === "'") && text[end] === text[start - 1] ? text[end] : "";
      const before = text[start - 1 - quote.length] ?? "";
      if (!/^[A-Za-z_]/.test(name) || /[A-Za-z0-9_.-]/.test(before) || !isSecretAssignment(name)) continue;
      ASSIGNED.lastIndex = end + quote.length;
      const value = ASSIGNED.exec(text);
      if (!value || notACredential(name, value[2])) continue;
      const index = end + quote.length + value[1].length;
      const replacement = /^["']/.test(value[2]) ? value[2][0] + REDACTED + value[2][0] : REDACTED;
      yield {index, length: value[2].length, text: replacement, at: index};
      keyword.lastIndex = index + value[2].length;
    }
  }
};

/** What is caught, in the order it is looked for (docs/security.md lists the same). */
const RULES: Rule[] = [
  regexRule(
    "private-key",
    /PRIVATE KEY/,
    /(-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)([\s\S]*?)(-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$(?![\s\S]))/g,
    // Each line of the key becomes [REDACTED]: the line count stays.
    (m) => m[1] + m[2].replace(/[^\r\n]+/g, (l) => (l.trim() === "" || l === REDACTED ? l : REDACTED)) + m[3],
    (m) => m.index + m[1].length + (/^\r?\n/.exec(m[2])?.[0].length ?? 0)
  ),
  regexRule("url-password", /:\/\//, /:\/\/([^\s:@/?#"'<>]*):([^\s@/?#"'<>]+)@/g, (m) =>
    m[2] === REDACTED ? m[0] : `://${m[1]}:${REDACTED}@`
  ),
  regexRule(
    "bearer",
    /authori[sz]ation/i,
    /(authorization[ \t]*:[ \t]*(?:bearer|token|basic)[ \t]+)([^\s"'\\]+)/gi,
    (m) => (m[2] === REDACTED ? m[0] : m[1] + REDACTED)
  ),
  regexRule("bearer", /bearer/i, /(\bbearer[ \t]+)([A-Za-z0-9._~+/=-]{8,})/gi, (m) => m[1] + REDACTED),
  regexRule(
    "secret-option",
    /-(?:api|apikey|token|hf|auth|password|secret|access)/i,
    /(?<![A-Za-z0-9_-])(--?(?:api-key|api_key|apikey|token|hf-token|hf_token|hft|auth-token|password|secret|access-token)(?:=|[ \t]+(?:\\\r?\n[ \t]*)?))("[^"\r\n]*"|'[^'\r\n]*'|[^\s"']+)/gi,
    // `-x` is the next option; `<token>` is a help text's placeholder (llama-bench --help: `--hf-token <token>`).
    (m) => (m[2] === REDACTED || m[2].startsWith("-") || /^<[^<>]*>$/.test(m[2]) ? m[0] : m[1] + REDACTED)
  ),
  assignments,
  regexRule("hf-token", /hf_/, /\bhf_[A-Za-z0-9]{20,}\b/g, () => REDACTED),
  regexRule("openai-key", /sk-/, /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}/g, () => REDACTED),
  regexRule(
    "github-token",
    /gh[pousr]_|github_pat_/,
    /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})\b/g,
    () => REDACTED
  ),
  regexRule("slack-token", /xox[abposr]-/, /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, () => REDACTED),
  regexRule("aws-access-key", /AKIA|ASIA/, /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, () => REDACTED)
];

/**
 * Replace every secret the rules catch. No line break is ever added or
 * removed, so each line keeps its number; the redactions say where and what.
 */
export function redactSecrets(text: string): {text: string; redactions: Redaction[]} {
  const redactions: Redaction[] = [];
  let out = text;
  for (const rule of RULES) {
    if (!rule.hint.test(out)) continue;
    let lineStarts: number[] | null = null;
    const parts: string[] = [];
    let last = 0;
    for (const edit of rule.find(out)) {
      lineStarts ??= lineStartsOf(out);
      redactions.push({line: lineAt(lineStarts, edit.at), kind: rule.kind});
      parts.push(out.slice(last, edit.index), edit.text);
      last = edit.index + edit.length;
    }
    if (parts.length) out = parts.join("") + out.slice(last);
  }
  redactions.sort((a, b) => a.line - b.line || a.kind.localeCompare(b.kind));
  return {text: out, redactions};
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (const m of text.matchAll(/\r\n|\n|\r/g)) starts.push(m.index + m[0].length);
  return starts;
}

function lineAt(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** Redact one argv array (program and arguments). */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    if (arg.startsWith("-") && eq > 0 && SECRET_OPTIONS.test(arg.slice(0, eq))) {
      out.push(`${arg.slice(0, eq)}=${REDACTED}`);
    } else if (SECRET_OPTIONS.test(arg) && i + 1 < argv.length) {
      out.push(arg, REDACTED);
      i++;
    } else if (
      !arg.startsWith("-") &&
      eq > 0 &&
      /^[A-Za-z_][A-Za-z0-9_]*$/.test(arg.slice(0, eq)) &&
      isSecretName(arg.slice(0, eq))
    ) {
      out.push(`${arg.slice(0, eq)}=${REDACTED}`);
    } else {
      out.push(redactText(arg));
    }
  }
  return out;
}

/** Redact secrets inside free text (a command line as printed, a log, a plan), as redactSecrets does. */
export function redactText(text: string): string {
  return redactSecrets(text).text;
}

/** Redact values of secret-named keys in an environment map. */
export function redactEnv(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) out[key] = isSecretName(key) ? REDACTED : redactText(value);
  return out;
}

/** Secrets shorter than this are not replaced as literals (a 3-character "secret" would erase digits). */
const MIN_LITERAL = 6;

/**
 * The secret values a run knows of: values of secret-named variables in its
 * environment and the arguments of secret options in its argv. Used to
 * replace them wherever they turn up (a tool echoing its arguments, a plan
 * file), not just where a pattern would find them.
 */
export function secretValues(
  env: Record<string, string | undefined>,
  argvs: readonly (readonly string[])[] = []
): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) if (value && isSecretName(name)) values.add(value);
  for (const argv of argvs) {
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i];
      const eq = arg.indexOf("=");
      if (arg.startsWith("-") && eq > 0 && SECRET_OPTIONS.test(arg.slice(0, eq))) values.add(arg.slice(eq + 1));
      else if (SECRET_OPTIONS.test(arg) && i + 1 < argv.length) values.add(argv[++i]);
      else if (!arg.startsWith("-") && eq > 0 && isSecretName(arg.slice(0, eq))) values.add(arg.slice(eq + 1));
    }
  }
  // Longest first, so a secret containing another is replaced whole.
  return [...values].filter((v) => v.length >= MIN_LITERAL).sort((a, b) => b.length - a.length);
}

/** Replace every literal occurrence of the given secret values. */
export function redactValues(text: string, values: readonly string[]): string {
  let out = text;
  for (const value of values) out = out.split(value).join(REDACTED);
  return out;
}

/**
 * Replace the home directory with `~` where it starts a path
 * (`/home/ann/models/x.gguf` → `~/models/x.gguf`), never inside a longer name
 * (`/home/anna` stays when home is `/home/ann`).
 */
export function redactHome(text: string, home: string): string {
  const base = home.replace(/[\\/]+$/, "");
  if (base.length < 2) return text;
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return text.replace(new RegExp(`${escaped}(?=[\\\\/]|$|[\\s"'\`,;:)\\]}])`, "g"), "~");
}

/** Everything a run must not store, applied the same way to commands, environments, logs and files. */
export interface Redactor {
  text(text: string): string;
  argv(argv: readonly string[]): string[];
  env(env: Record<string, string>): Record<string, string>;
  /** The kinds of replacement text() has made so far (`secrets`, `home`). */
  applied: Set<string>;
}

export function makeRedactor({
  secrets: given = [],
  home = null
}: {secrets?: readonly string[]; home?: string | null} = {}): Redactor {
  const secrets = [...new Set(given)].filter((v) => v.length >= MIN_LITERAL).sort((a, b) => b.length - a.length);
  const applied = new Set<string>();
  const text = (input: string): string => {
    let out = redactText(redactValues(input, secrets));
    if (out !== input) applied.add("secrets");
    if (home) {
      const homed = redactHome(out, home);
      if (homed !== out) applied.add("home");
      out = homed;
    }
    return out;
  };
  return {
    text,
    argv: (argv) => redactArgv(argv.map((a) => redactValues(a, secrets))).map((a) => (home ? redactHome(a, home) : a)),
    env: (env) =>
      Object.fromEntries(
        Object.entries(redactEnv(env)).map(([k, v]) => [
          k,
          home ? redactHome(redactValues(v, secrets), home) : redactValues(v, secrets)
        ])
      ),
    applied
  };
}
