// Credentials never leave vouch. Two functions, used at the edges: redactSecrets masks every credential in
// text vouch prints (reports in every format, errors, retry notices, progress), and withoutCredentials
// turns a registry URL into the registry's identity (what vouch.lock, the evidence cache and the log
// state are keyed by): the same registry with or without a password in its URL is one registry.
// npm's own @npmcli/redact was measured first and is not enough here: it keeps a token given as the URL's
// user name, `?token=` values, `_authToken=`/`_auth=` settings, a Basic credential's base64 past its first
// `/`, and every URL whose port is out of range.

/** What a secret is replaced with. */
export const REDACTED = '***';

// scheme://userinfo@ (or a scheme-relative //userinfo@): the userinfo runs to the last `@` before the
// authority ends (as WHATWG URL parses it), so a password holding a raw `@` is masked whole. It never
// crosses a bare quote (the output may be JSON) but takes an escaped one (`\"`) whole, so JSON stays JSON.
// `git@` (the ssh user of git hosts) names no one and is kept.
const URL_USERINFO = /((?:\b[a-z][a-z0-9+.-]*:)?\/\/)((?:(?:[^\s/?#@"\\]|\\[^\s])*@)+)/gi;

// npm's per-registry auth settings (`//host/:_authToken=…`, `_auth`, `_password`), as .npmrc lines, env
// (npm_config__authToken), JSON keys or messages: the value up to a quote, space, comma, semicolon or `&`.
const AUTH_SETTING = /(_authToken|_auth|_password|authToken)(["']?\s*[=:]\s*["']?)(?:[^\s"'`,;&\\]|\\[^\s])+/gi;

// A query parameter whose name says it is a credential (`?token=`, `access_token`, `auth`, `password`, `sig`…).
const QUERY_CREDENTIAL = /([?&][\w.-]*(?:token|auth|pass(?:word|wd)?|secret|key|sig(?:nature)?|credential)[\w.-]*=)(?:[^&#\s"'`<>\\]|\\[^\s])+/gi;

// HTTP credentials: `Authorization: <anything>` and the Bearer/Basic schemes wherever they appear.
// (Values take a JSON escape such as `\"` whole, as the userinfo does, so JSON stays JSON.)
const AUTH_HEADER = /(authorization["']?\s*[:=]\s*["']?)(?:(?:Bearer|Basic|Token)\s+)?(?:[^\s"'`,;\\]|\\[^\s])+/gi;
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/-]+=*/g;

// Tokens recognisable on their own: npm's (npm_…), GitHub's (ghp_…), and JSON Web Tokens.
const NPM_TOKEN = /\bnpms?_[A-Za-z0-9]{20,}/g;
const GITHUB_TOKEN = /\bgh[opsur]_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}/g;
const JSON_WEB_TOKEN = /\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}/g;

// Whether any pattern below could match: most strings (names, versions, digests) skip the eight passes.
const MAYBE = /@|_auth|_password|authtoken|[?&][^\s=]*=|authorization|bearer|basic|npms?_|gh[opsur]_|github_pat_|eyj/i;

/** `text` with every credential vouch can recognise replaced by `***`. Idempotent; JSON stays JSON. */
export function redactSecrets(text: string): string {
  if (!MAYBE.test(text)) return text;
  return text
    .replace(URL_USERINFO, (match, scheme: string, userinfo: string) => (userinfo === 'git@' ? match : `${scheme}${REDACTED}@`))
    .replace(AUTH_SETTING, `$1$2${REDACTED}`)
    .replace(QUERY_CREDENTIAL, `$1${REDACTED}`)
    .replace(AUTH_HEADER, `$1${REDACTED}`)
    .replace(AUTH_SCHEME, `$1 ${REDACTED}`)
    .replace(NPM_TOKEN, `npm_${REDACTED}`)
    .replace(GITHUB_TOKEN, REDACTED)
    .replace(JSON_WEB_TOKEN, REDACTED);
}

/**
 * `value` with redactSecrets applied to every string in it (plain objects and arrays are walked;
 * dates, keys and other objects are kept as they are): for data rendered after escaping (JSON, SARIF), where
 * a secret's escaped form would no longer match in the text.
 */
export function redactDeep<T>(value: T): T {
  return walk(value) as T;
}

// Copy on change: a report without secrets comes back as the same objects (no cost to render a large tree).
function walk(value: unknown): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (Array.isArray(value)) {
    const items = value.map(walk);
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  if (value === null || typeof value !== 'object') return value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const entries = Object.entries(value);
  const walked = entries.map(([key, v]): [string, unknown] => [redactSecrets(key), walk(v)]);
  return walked.some(([key, v], i) => key !== entries[i]?.[0] || v !== entries[i]?.[1]) ? Object.fromEntries(walked) : value;
}

/** `url` without its userinfo (`user:password@`): the registry's identity, byte for byte otherwise. */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
}
