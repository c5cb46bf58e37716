// No secret anywhere (issue 22), as a property: for seeded random credentials (user:password with URL-special
// characters, npm tokens, auth settings, query tokens, Authorization headers) carried by the registry URLs,
// messages and hints of a report and of errors, no output vouch renders or stores holds them: text, JSON and
// SARIF reports, explain, VouchError and internal-error rendering, the Output every command writes through,
// retry notices, progress lines, vouch.lock, evidence-cache keys and log-state file names.
import { afterEach, describe, expect, it } from 'vitest';
import { withoutCredentials } from '../../../lib/config/index.js';
import { VouchError } from '../../../lib/errors/index.js';
import { emptyLock, recordVerified, serializeLock } from '../../../lib/lock/index.js';
import type { PackageVerdict, Report } from '../../../lib/policy/report.js';
import { EvidenceCache } from '../../../lib/registry/evidence-cache.js';
import { logStateFile } from '../../../lib/registry/log-check.js';
import { formatVouchError, reportError } from '../../../lib/cli/main.js';
import { redacting, type Output } from '../../../lib/cli/output.js';
import { progressLine } from '../../../lib/cli/progress.js';
import { render, FORMATS } from '../../../lib/cli/render/index.js';
import { renderExplain } from '../../../lib/cli/render/explain.js';
import { printRetryNotices } from '../../../lib/cli/retry-notices.js';
import { allowed, finding, KEY_NEW, ref, registry, report, source, unsignedRegistry, verifiedEvidence } from './report-builder.js';
import { mulberry32 } from '../../support/prng.js';

const RUNS = 150;

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// Kept raw in a URL's userinfo by WHATWG URL serialisation (and by people writing .npmrc by hand).
const RAW_OK = "!$&'()*+,;=-._~";
// Percent-encoded in a URL: a password may still hold any of them.
const ENCODED = ' /?#@:"\\<>[]{}|^`%é€😀\t';

interface Secrets {
  /** The credential strings that must never appear (and their percent-encoded forms). */
  needles: string[];
  /** The registry URL with user:password@. */
  url: string;
  token: string;
  npmToken: string;
}

function generate(seed: number): Secrets {
  const random = mulberry32(seed);
  const pick = (chars: string): string => {
    const list = [...chars];
    return list[Math.floor(random() * list.length)] ?? 'x';
  };
  const word = (n: number, chars = ALNUM): string => Array.from({ length: n }, () => pick(chars)).join('');
  // A distinctive core (never found by chance) wrapped in special characters.
  const core = `Zq${word(10)}`;
  const special = () => (random() < 0.5 ? pick(RAW_OK) : pick(ENCODED));
  const password = `${word(1 + Math.floor(random() * 3), RAW_OK + ENCODED)}${core}${special()}${special()}`;
  const user = random() < 0.2 ? `npm_${word(36)}` : word(1 + Math.floor(random() * 8));
  // Half the time as WHATWG serialises it, half as fully percent-encoded; `@` stays raw now and then.
  const encodedPassword =
    random() < 0.5 ? [...password].map((c) => (RAW_OK.includes(c) || ALNUM.includes(c) ? c : encodeURIComponent(c))).join('') : encodeURIComponent(password);
  const host = random() < 0.5 ? `127.0.0.1:${1024 + Math.floor(random() * 60_000)}` : `registry-${word(4).toLowerCase()}.example`;
  const path = random() < 0.5 ? '/' : `/${word(3).toLowerCase()}/npm/`;
  const url = `${random() < 0.5 ? 'https' : 'http'}://${encodeURIComponent(user)}:${random() < 0.1 ? encodedPassword.replace('%40', '@') : encodedPassword}@${host}${path}`;
  const token = word(24, `${ALNUM}-_.`);
  const npmToken = `npm_${word(36)}`;
  const needles = [core, password, encodedPassword, token, npmToken, ...(user.startsWith('npm_') ? [user] : [])];
  return { needles, url, token, npmToken };
}

/** A report whose every string field that can carry a registry URL or an error text carries the secrets. */
function reportWith(s: Secrets): { report: Report; verdict: PackageVerdict } {
  const host = s.url.replace(/^https?:/, '');
  const keysUrl = `${s.url}-/npm/v1/keys`;
  const down = `could not reach ${keysUrl}: request to ${keysUrl} failed, reason: connect ECONNREFUSED`;
  const base = ref('dep', '1.0.0', { registry: s.url });
  const verdict: PackageVerdict = {
    kind: 'package',
    ref: base,
    status: 'unverifiable',
    decision: 'deny',
    findings: [
      finding('REGISTRY_UNREACHABLE', 'deny', { message: `dep@1.0.0 could not be verified: ${down}`, rule: 'invariant:fail-closed', hint: `retry ${s.url}` }),
      finding('RESOLVED_FOREIGN_HOST', 'warn', { message: `resolves at ${s.url}dep/-/dep-1.0.0.tgz?token=${s.token}, not at its registry ${s.url}` }),
      finding('REGISTRY_ERROR', 'deny', { message: `HTTP 401 with ${host}:_authToken=${s.npmToken} (Authorization: Bearer ${s.token})` }),
    ],
    evidence: { ...verifiedEvidence(base), unverifiable: { code: 'REGISTRY_UNREACHABLE', message: down } },
  };
  const unsigned = unsignedRegistry(ref('@int/lib', '0.3.0', { registry: s.url }));
  const reg = {
    ...registry(s.url, []),
    decision: 'warn' as const,
    findings: [
      finding('UNSIGNED_REGISTRY', 'warn', {
        message: `${s.url} serves no signing keys`,
        hint: `add to vouch.policy.json: "registries": { ${JSON.stringify(s.url)}: { "keys": "none" } }`,
      }),
    ],
  };
  const r = report(
    [
      verdict,
      unsigned,
      allowed(ref('ok', '2.0.0', { registry: s.url })),
      source('gitdep', 'deny', { spec: `git+${s.url.replace(/\/[^@]*$/, '')}/acme/gitdep.git#main` }),
    ],
    { registries: [reg, registry(`${s.url}mirror/`)], notices: [`registry ${s.url} (_auth=${Buffer.from('u:p').toString('base64')}${s.token})`] },
  );
  const pin = { keys: { [KEY_NEW]: { key: 'MFkw' } } };
  return { report: { ...r, registryPins: { [s.url]: pin }, registryServed: { [s.url]: pin } }, verdict };
}

function capture(): Output & { text: () => string } {
  let text = '';
  return { stdout: (t) => void (text += t), stderr: (t) => void (text += t), isTTY: false, text: () => text };
}

function expectNoSecret(s: Secrets, seed: number, what: string, output: string): void {
  for (const needle of s.needles) {
    if (output.includes(needle)) throw new Error(`seed ${seed}: ${what} holds ${JSON.stringify(needle)} (url ${s.url}):\n${output}`);
  }
}

let stopNotices: (() => void) | undefined;
afterEach(() => stopNotices?.());

describe('no secret in any output (property over seeded credentials)', () => {
  it('the generator puts every secret into the unredacted inputs', () => {
    const s = generate(1);
    const { report: r } = reportWith(s);
    const raw = JSON.stringify(r);
    for (const needle of s.needles.filter((n) => n === encodeURIComponent(n) || raw.includes(n))) expect(raw).toContain(needle);
    expect(raw).toContain(s.token);
    for (let seed = 1; seed <= RUNS; seed++) {
      const url = new URL(generate(seed).url); // every generated URL is one npm would accept
      expect(decodeURIComponent(url.password)).toContain(generate(seed).needles[0]);
    }
  });

  it(`holds for ${RUNS} seeds: reports, explain, errors, output, notices, progress, lock and cache keys`, () => {
    for (let seed = 1; seed <= RUNS; seed++) {
      const s = generate(seed);
      const { report: r, verdict } = reportWith(s);
      for (const format of FORMATS) {
        const text = render(r, format, { verbose: true, color: false, version: '0.0.0' });
        expectNoSecret(s, seed, format, text);
        if (format !== 'text') expect(() => JSON.parse(text) as unknown, `seed ${seed} ${format}`).not.toThrow();
      }
      expectNoSecret(s, seed, 'explain', renderExplain(verdict, { versions: { '1.0.0': { evidence: `sha256:${s.url}` } } }));

      const error = new VouchError(
        'REGISTRY_UNREACHABLE',
        `could not reach ${s.url}-/npm/v1/keys`,
        { pkg: 'dep', file: `${s.url}x` },
        `check ${withoutCredentials(s.url).replace(/^https?:/, '')}:_authToken=${s.npmToken}`,
      );
      expectNoSecret(s, seed, 'VouchError', formatVouchError(error));
      const out = capture();
      reportError(new Error(`fetch ${s.url} with Authorization: Basic ${Buffer.from(s.token).toString('base64')}`), out, true);
      expectNoSecret(s, seed, 'internal error', out.text());

      const written = capture();
      const safe = redacting(written);
      safe.stdout(`${s.url} ${JSON.stringify({ registry: s.url, token: `?token=${s.token}` })}`);
      safe.stderr(`npm_config__authToken=${s.npmToken} ${s.npmToken}`);
      stopNotices = printRetryNotices(safe);
      process.emit('log', 'http', 'fetch', `GET 503 ${s.url}dep attempt 1 failed with ECONNREFUSED`);
      stopNotices();
      expectNoSecret(s, seed, 'Output', written.text());
      expectNoSecret(s, seed, 'progress', progressLine('verifying', 1, 2, `${s.url}dep`, 10_000));

      const lock = serializeLock(recordVerified(emptyLock(), r));
      expectNoSecret(s, seed, 'vouch.lock', lock);
      expect(lock, `seed ${seed}`).toContain(JSON.stringify(withoutCredentials(s.url)));
      expectNoSecret(s, seed, 'evidence-cache key', EvidenceCache.key(s.url, 'dep', '1.0.0', null));
      expect(logStateFile('/state', s.url)).toBe(logStateFile('/state', withoutCredentials(s.url)));
    }
  });
});
