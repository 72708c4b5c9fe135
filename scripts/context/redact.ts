/**
 * Secrets never reach the store: API keys, bearer tokens and token-like
 * environment variables are replaced before anything is written.
 */

export const REDACTED = "[REDACTED]";

/** Environment variable names whose values are secrets. */
export function isSecretName(name: string): boolean {
  return /(?:TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?)$/i.test(name) || /^(?:HF_TOKEN|HUGGING_FACE_HUB_TOKEN|OPENAI_API_KEY|ANTHROPIC_API_KEY)$/i.test(name);
}

/** Command-line options whose next argument (or `=value`) is a secret. */
const SECRET_OPTIONS = /^--?(?:api-key|api_key|apikey|token|hf-token|hf_token|auth-token|password|secret|access-token)$/i;

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
    .replace(/(--?(?:api-key|api_key|apikey|token|hf-token|hf_token|auth-token|password|secret|access-token)(?:=|\s+))("[^"]*"|'[^']*'|\S+)/gi, `$1${REDACTED}`)
    .replace(/\b([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S+)/g, (match, name: string) => (isSecretName(name) ? `${name}=${REDACTED}` : match))
    .replace(/\b(sk-[A-Za-z0-9_-]{16,}|hf_[A-Za-z0-9]{20,}|ghp_[A-Za-z0-9]{20,})\b/g, REDACTED);
}

/** Redact values of secret-named keys in an environment map. */
export function redactEnv(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) out[key] = isSecretName(key) ? REDACTED : value;
  return out;
}
