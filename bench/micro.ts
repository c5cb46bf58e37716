// Microbenchmarks of vouch's two crypto paths, one thread (= one core), run in a process of its own
// (`node dist/bench/micro.js` prints JSON; run-bench.ts starts it):
//   - registry signatures: lib/verify/signatures.ts checkSignatures over distinct signed versions;
//   - Sigstore bundles, cold: lib/verify AttestationVerifier.verifyKeyless on provenance bundles from
//     the private test root, a fresh verifier (empty cache) per pass, every bundle parsed and digested;
//   - the same bundles again through the warm verifier: time per bundle, and a count of signature
//     verifications (node:crypto verify and @sigstore/verify Verifier.verify) proving no crypto ran.
import crypto, { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleFromJSON, type SerializedBundle } from '@sigstore/bundle';
import { Verifier } from '@sigstore/verify';
import { createPrivateSigstore } from '../fixtures/scripts/private-sigstore.js';
import { AttestationVerifier, bundleDigest, loadTrustRoots } from '../lib/verify/index.js';
import { checkSignatures } from '../lib/verify/signatures.js';
import { githubIdentity } from '../test/support/provenance.js';
import { summarize, type Summary } from './stats.js';

export interface MicroResults {
  signatures: { perSecond: Summary; distinct: number; passes: number };
  bundlesCold: { perSecond: Summary; bundles: number; passes: number; cryptoVerifies: number; sigstoreVerifies: number };
  bundlesCached: { microsecondsPerBundle: Summary; bundles: number; cryptoVerifies: number; sigstoreVerifies: number };
}

const SIGNATURES = 2_000;
const SIGNATURE_PASS_MS = 1_000;
const BUNDLES = 150;
const PASSES = 5;

export async function runMicro(): Promise<MicroResults> {
  const counters = countVerifies();
  const signatures = signatureRate();
  const bundles = await bundleRates(counters);
  return { signatures, ...bundles };
}

function signatureRate(): MicroResults['signatures'] {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = { keyid: 'SHA256:bench', key: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'), expires: null };
  const inputs = Array.from({ length: SIGNATURES }, (_, i) => {
    const name = `bench-${i}`;
    const integrity = `sha512-${createHash('sha512').update(name).digest('base64')}`;
    const sig = sign('sha256', Buffer.from(`${name}@1.0.0:${integrity}`), privateKey).toString('base64');
    return { name, version: '1.0.0', integrity, signatures: [{ keyid: key.keyid, sig }], publishedAt: new Date(), keys: [key] };
  });
  const rates: number[] = [];
  for (let pass = 0; pass <= PASSES; pass++) {
    let done = 0;
    const started = performance.now();
    while (performance.now() - started < SIGNATURE_PASS_MS) {
      for (const input of inputs) {
        if (checkSignatures(input).kind !== 'verified') throw new Error(`micro: ${input.name} did not verify`);
      }
      done += inputs.length;
    }
    if (pass > 0) rates.push(done / ((performance.now() - started) / 1000)); // pass 0 warms the JIT
  }
  return { perSecond: summarize(rates), distinct: SIGNATURES, passes: PASSES };
}

async function bundleRates(counters: Counters): Promise<Pick<MicroResults, 'bundlesCold' | 'bundlesCached'>> {
  const sigstore = await createPrivateSigstore({ seed: 'vouch-bench-micro' });
  const dir = await mkdtemp(join(tmpdir(), 'vouch-bench-micro-'));
  try {
    const rootFile = join(dir, 'private-trusted-root.json');
    await writeFile(rootFile, sigstore.trustedRootJSON);
    const roots = loadTrustRoots([rootFile]); // public-good + the private root, as `--trusted-root` loads them
    const bundles: SerializedBundle[] = [];
    for (let i = 0; i < BUNDLES; i++) {
      const name = `@bench/micro-${i}`;
      const integrity = `sha512-${createHash('sha512').update(name).digest('base64')}`;
      bundles.push(await sigstore.mintProvenance({ name, version: '1.0.0', integrity, identity: githubIdentity(`bench/micro-${i}`) }));
    }
    const rates: number[] = [];
    let verifier = new AttestationVerifier(roots);
    let cold = counters.reset();
    for (let pass = 0; pass <= PASSES; pass++) {
      verifier = new AttestationVerifier(roots); // fresh cache: every bundle is verified from scratch
      counters.reset();
      const started = performance.now();
      verifyAll(verifier, bundles);
      const seconds = (performance.now() - started) / 1000;
      cold = counters.reset();
      if (pass > 0) rates.push(bundles.length / seconds);
    }
    const perBundle: number[] = [];
    let cached = counters.reset();
    for (let pass = 0; pass < PASSES; pass++) {
      const started = performance.now();
      verifyAll(verifier, bundles); // the last cold verifier, now holding every result
      perBundle.push(((performance.now() - started) * 1000) / bundles.length);
      cached = counters.reset();
      if (cached.crypto + cached.sigstore > 0) break;
    }
    return {
      bundlesCold: { perSecond: summarize(rates), bundles: bundles.length, passes: PASSES, cryptoVerifies: cold.crypto, sigstoreVerifies: cold.sigstore },
      bundlesCached: { microsecondsPerBundle: summarize(perBundle), bundles: bundles.length, cryptoVerifies: cached.crypto, sigstoreVerifies: cached.sigstore },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What vouch does per bundle: parse, digest (the cache key), verify against the roots. */
function verifyAll(verifier: AttestationVerifier, bundles: readonly SerializedBundle[]): void {
  for (const json of bundles) {
    const outcome = verifier.verifyKeyless(bundleFromJSON(json), bundleDigest(json));
    if (!outcome.ok) throw new Error(`micro: a private-root bundle did not verify: ${outcome.message}`);
  }
}

interface Counters {
  /** The counts since the last reset, then zero again. */
  reset(): { crypto: number; sigstore: number };
}

/** Wraps node:crypto verify and @sigstore/verify's Verifier.verify with call counters. */
function countVerifies(): Counters {
  let cryptoCalls = 0;
  let sigstoreCalls = 0;
  const nodeVerify = crypto.verify;
  // @sigstore/core calls crypto.verify through the module object, so the wrapper sees every call.
  (crypto as { verify: typeof crypto.verify }).verify = ((...args: Parameters<typeof crypto.verify>) => {
    cryptoCalls++;
    return (nodeVerify as (...a: unknown[]) => unknown)(...args);
  }) as typeof crypto.verify;
  const verify = Verifier.prototype.verify;
  Verifier.prototype.verify = function (this: Verifier, ...args: Parameters<Verifier['verify']>) {
    sigstoreCalls++;
    return verify.apply(this, args);
  };
  return {
    reset() {
      const counts = { crypto: cryptoCalls, sigstore: sigstoreCalls };
      cryptoCalls = 0;
      sigstoreCalls = 0;
      return counts;
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${JSON.stringify(await runMicro())}\n`);
}
