/**
 * Secrets never reach the store: API keys, bearer tokens and token-like
 * environment variables are replaced before anything is written.
 */

export const REDACTED = "[REDACTED]";

/** Environment variable names whose values are secrets. */
export function isSecretName(name: string): boolean {
  return /(?:TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?)$/i.test(name) || /^(?:HF_TOKEN|HUGGING_FACE_HUB_TOKEN|OPENAI_API_KEY|ANTHROPIC_API_KEY)$/i.test(name);
}

/** Command-line options whose next argument (or `=value`) is a secret (`-hft` is llama-bench's --hf-token). */
const SECRET_OPTIONS = /^--?(?:api-key|api_key|apikey|token|hf-token|hf_token|hft|auth-token|password|secret|access-token)$/i;

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
    } else if (!arg.startsWith("-") && eq > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(arg.slice(0, eq)) && isSecretName(arg.slice(0, eq))) {
      out.push(`${arg.slice(0, eq)}=${REDACTED}`);
    } else {
      out.push(redactText(arg));
    }
  }
  return out;
}

/**
 * Redact secrets inside free text (a command line as printed, a log):
 * `Authorization: Bearer …`, `--api-key …`, `HF_TOKEN=…`, `sk-…` keys.
 */
export function redactText(text: string): string {
  return text
    .replace(/(authorization\s*:\s*(?:bearer|token|basic)\s+)[^\s"'\\]+/gi, `$1${REDACTED}`)
    .replace(/(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1${REDACTED}`)
    .replace(/(--?(?:api-key|api_key|apikey|token|hf-token|hf_token|hft|auth-token|password|secret|access-token)(?:=|[ \t]+(?:\\\r?\n[ \t]*)?))("[^"]*"|'[^']*'|\S+)/gi, `$1${REDACTED}`)
    .replace(/\b([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S+)/g, (match, name: string) => (isSecretName(name) ? `${name}=${REDACTED}` : match))
    .replace(/\b(sk-[A-Za-z0-9_-]{16,}|hf_[A-Za-z0-9]{20,}|ghp_[A-Za-z0-9]{20,})\b/g, REDACTED);
}

/** Redact values of secret-named keys in an environment map. */
export function redactEnv(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) out[key] = isSecretName(key) ? REDACTED : value;
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
export function secretValues(env: Record<string, string | undefined>, argvs: readonly (readonly string[])[] = []): string[] {
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

export function makeRedactor({secrets: given = [], home = null}: {secrets?: readonly string[]; home?: string | null} = {}): Redactor {
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
    env: (env) => Object.fromEntries(Object.entries(redactEnv(env)).map(([k, v]) => [k, home ? redactHome(redactValues(v, secrets), home) : redactValues(v, secrets)])),
    applied
  };
}
