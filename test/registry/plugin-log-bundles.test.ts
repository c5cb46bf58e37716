// The registry's publish attestations are logged (issue 17): each bundle carries its Rekor v2 style tlog entry
// (dsse 0.0.2 body, SET and inclusion proof with the checkpoint signed by the log key), which an auditor checks
// with lib/tlog against what the log serves, and a stock @sigstore/verify checks with the registry's
// trusted_root.json and its keys from /-/npm/v1/keys, default thresholds. The real `npm audit signatures`
// reads them without crashing, `vouch log show` lists them, and a restart keeps every index and proof valid.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { PublicKey, TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TILE_WIDTH, entriesPath, leafHash, openNote, parseCheckpoint, parseVerifierKey, readBundle, verifyInclusion } from '../../lib/tlog/index.js';
import { keygen, maintainerEnv, vouchPublish, type MaintainerKey } from '../support/maintainer.js';
import { naiveTreeHash } from '../support/merkle-oracle.js';
import { writePackage } from '../support/packages.js';
import { writeProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runVouch } from '../support/vouch.js';

const PUBLISH_PREDICATE = 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1';

type TlogEntry = {
  logIndex: string;
  logId: { keyId: string };
  kindVersion: { kind: string; version: string };
  integratedTime: string;
  inclusionPromise: { signedEntryTimestamp: string };
  canonicalizedBody: string;
  inclusionProof: { logIndex: string; rootHash: string; treeSize: string; hashes: string[]; checkpoint: { envelope: string } };
};
type Bundle = {
  mediaType: string;
  verificationMaterial: { publicKey: { hint: string }; tlogEntries: TlogEntry[] };
  dsseEnvelope: { payload: string; signatures: { keyid: string }[] };
};
type Packument = { versions: Record<string, { dist: { integrity: string; signatures: { keyid: string; sig: string; logIndex?: number }[] } }> };

let registry: TestRegistry;
let work: string;
let storage: string;
let port: number;
let packages: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'vouch-log-bundles-'));
  storage = join(work, 'storage'); // kept across the restart below
  registry = await startRegistry({ storage });
  port = Number(new URL(registry.url).port);
  packages = join(work, 'packages');
  await registry.publish(await writePackage(packages, { name: 'logged-plain', version: '1.0.0' }));
  await publishAttested('logged-attested', '1.0.0');
});

afterAll(async () => {
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** `vouch publish --key` (a maintainer key): the registry then adds its own publish attestation. */
async function publishAttested(name: string, version: string): Promise<void> {
  const env = await maintainerEnv(registry);
  const key: MaintainerKey = await keygen(registry, env, 'publisher');
  await vouchPublish(registry, env, await writePackage(packages, { name, version }), key.privateKeyFile);
}

/** The registry's publish attestation bundle of a version. */
async function publishBundle(name: string, version: string): Promise<Bundle> {
  const body = (await registry.get(`-/npm/v1/attestations/${name}@${version}`)).json as { attestations: { predicateType: string; bundle: Bundle }[] };
  const found = body.attestations.find((a) => a.predicateType === PUBLISH_PREDICATE);
  if (!found) throw new Error(`no publish attestation for ${name}@${version}`);
  return found.bundle;
}

/** Every entry the log serves, read as an auditor reads it (the served checkpoint, opened with the log key). */
async function servedLog() {
  const keyText = (await registry.get('-/vouch/log/key')).text.trim();
  const verifier = parseVerifierKey(keyText);
  const checkpoint = parseCheckpoint(openNote((await registry.get('-/vouch/log/checkpoint')).text, [verifier]).text);
  const entries: Buffer[] = [];
  for (let tile = 0; tile * TILE_WIDTH < checkpoint.size; tile++) {
    entries.push(...readBundle((await registry.get(`-/vouch/log/${entriesPath(tile, Math.min(TILE_WIDTH, checkpoint.size - tile * TILE_WIDTH))}`)).bytes));
  }
  return { keyText, verifier, checkpoint, entries, leaves: entries.map(leafHash) };
}

/** A @sigstore/verify Verifier as a stock client builds it: the served trusted root, the registry keys, default thresholds. */
async function stockVerifier(): Promise<Verifier> {
  const root = TrustedRoot.fromJSON((await registry.get('-/vouch/trusted_root.json')).json);
  const listed = ((await registry.get('-/npm/v1/keys')).json as { keys: { keyid: string; key: string; expires: string | null }[] }).keys;
  const keys = Object.fromEntries(
    listed.map((k) => [
      k.keyid,
      PublicKey.fromJSON({
        rawBytes: k.key,
        keyDetails: 'PKIX_ECDSA_P256_SHA_256',
        validFor: { start: '1970-01-01T00:00:00Z', ...(k.expires ? { end: k.expires } : {}) },
      }),
    ]),
  );
  // ctlogThreshold concerns certificates (SCTs); key bundles have none, so it does not apply here.
  return new Verifier(toTrustMaterial(root, keys), { ctlogThreshold: 0 });
}

/** Checks one bundle's entry against the served log; returns its index. */
async function checkAgainstLog(bundle: Bundle): Promise<number> {
  const log = await servedLog();
  expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
  expect(bundle.verificationMaterial.publicKey.hint).toBe(registry.keyid);
  const [entry, ...rest] = bundle.verificationMaterial.tlogEntries;
  expect(rest).toEqual([]);
  const index = Number(entry!.logIndex);
  const body = Buffer.from(entry!.canonicalizedBody, 'base64');
  // logId: the C2SP key ID of the log key, sha256(origin ‖ "\n" ‖ 0x01 ‖ key), whose first 4 bytes are the checkpoint hint.
  const [origin, , ...key] = log.keyText.split('+'); // name+keyid+base64(0x01 ‖ key), whose base64 may hold "+"
  const keyId = createHash('sha256')
    .update(`${origin}\n`)
    .update(Buffer.from(key.join('+'), 'base64'))
    .digest();
  expect(entry).toMatchObject({
    logId: { keyId: keyId.toString('base64') },
    kindVersion: { kind: 'dsse', version: '0.0.2' },
    inclusionProof: { logIndex: String(index) },
  });
  expect(keyId.readUInt32BE(0)).toBe(log.verifier.keyId);
  // The body the bundle carries is the entry the log serves at that index, and the attestation-issued event follows it.
  expect(log.entries[index]).toEqual(body);
  const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64');
  expect(JSON.parse(body.toString())).toEqual({
    apiVersion: '0.0.2',
    kind: 'dsse',
    spec: {
      dsseV002: {
        payloadHash: { algorithm: 'SHA2_256', digest: createHash('sha256').update(payload).digest('base64') },
        signatures: [{ content: expect.any(String), verifier: { publicKey: { rawBytes: expect.any(String) }, keyDetails: 'PKIX_ECDSA_P256_SHA_256' } }],
      },
    },
  });
  expect(JSON.parse(log.entries[index + 1]!.toString())).toMatchObject({
    type: 'attestation-issued',
    keyid: registry.keyid,
    digest: `sha256:${createHash('sha256').update(payload).digest('hex')}`,
    entry: index,
  });
  // The proof leads to the root of the checkpoint it carries, signed by the log key; that tree is a prefix of the served one.
  const size = Number(entry!.inclusionProof.treeSize);
  const carried = parseCheckpoint(openNote(entry!.inclusionProof.checkpoint.envelope, [log.verifier]).text);
  expect(carried.size).toBe(size);
  expect(Buffer.from(carried.root).toString('base64')).toBe(entry!.inclusionProof.rootHash);
  expect(
    verifyInclusion(
      index,
      size,
      leafHash(body),
      entry!.inclusionProof.hashes.map((h) => Buffer.from(h, 'base64')),
      carried.root,
    ),
  ).toBe(true);
  expect(Buffer.from(naiveTreeHash(log.leaves.slice(0, size)))).toEqual(Buffer.from(carried.root));
  expect(Buffer.from(naiveTreeHash(log.leaves))).toEqual(Buffer.from(log.checkpoint.root));
  return index;
}

describe('logged publish attestations', () => {
  it('carry their dsse entry: the inclusion proof verifies with lib/tlog against the log, whose tiles hold canonicalizedBody', async () => {
    const index = await checkAgainstLog(await publishBundle('logged-attested', '1.0.0'));
    const log = await servedLog();
    // The version's registry signature names its own entry (version-signed, appended when the publish was recorded).
    const dist = ((await registry.get('logged-attested')).json as Packument).versions['1.0.0']!.dist;
    const signature = dist.signatures[0]!;
    expect(signature.logIndex).toBeGreaterThan(index + 1);
    expect(JSON.parse(log.entries[signature.logIndex!]!.toString())).toEqual({
      type: 'version-signed',
      name: 'logged-attested',
      version: '1.0.0',
      integrity: dist.integrity,
      keyid: signature.keyid,
      sig: signature.sig,
      source: 'publish',
    });
  });

  it('verify with stock @sigstore/verify, the served trusted_root.json and the registry keys; a tampered checkpoint or proof does not', async () => {
    const root = (await registry.get('-/vouch/trusted_root.json')).json as { tlogs: { baseUrl: string }[] };
    expect(root.tlogs[0]!.baseUrl).toMatch(new RegExp(`^${registry.url}-/vouch/log/vouch-registry/[0-9a-f]{16}$`));
    // The log answers under that base URL too.
    expect((await fetch(`${root.tlogs[0]!.baseUrl}/checkpoint`)).status).toBe(200);
    const verifier = await stockVerifier();
    const bundle = await publishBundle('logged-attested', '1.0.0');
    expect(() => verifier.verify(toSignedEntity(bundleFromJSON(bundle)))).not.toThrow();

    const proof = bundle.verificationMaterial.tlogEntries[0]!.inclusionProof;
    const checkpoint = structuredClone(bundle);
    const forgedRoot = Buffer.alloc(32, 7).toString('base64');
    checkpoint.verificationMaterial.tlogEntries[0]!.inclusionProof.checkpoint.envelope = proof.checkpoint.envelope.replace(proof.rootHash, forgedRoot);
    expect(() => verifier.verify(toSignedEntity(bundleFromJSON(checkpoint)))).toThrow(/checkpoint signature/);
    const path = structuredClone(bundle);
    path.verificationMaterial.tlogEntries[0]!.inclusionProof.hashes[0] = forgedRoot;
    expect(() => verifier.verify(toSignedEntity(bundleFromJSON(path)))).toThrow(/root hash does not match/);
    // Without the registry's log in the trusted root, the entry verifies against nothing.
    const keysOnly = new Verifier(toTrustMaterial(TrustedRoot.fromJSON({ mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1' }), {}), {
      ctlogThreshold: 0,
    });
    expect(() => keysOnly.verify(toSignedEntity(bundleFromJSON(bundle)))).toThrow();
  });

  it('vouch log verify accepts the three entry kinds and vouch log show lists the attestation-issued event', async () => {
    const home = await registry.tempDir('audit');
    const audit = await runVouch(['log', 'verify', registry.url, '--state', join(home, 'state.json'), '--format', 'json'], { cwd: home });
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    const show = await runVouch(['log', 'show', registry.url, 'logged-attested', '--format', 'json'], { cwd: home });
    expect(show.code, show.stderr).toBe(0);
    const events = (show.json as { events: { type: string; version: string }[] }).events;
    expect(events.map((e) => [e.type, e.version])).toEqual([
      ['attestation-issued', '1.0.0'],
      ['version-signed', '1.0.0'],
    ]);
    const text = await runVouch(['log', 'show', registry.url, 'logged-attested'], { cwd: home });
    expect(text.stdout).toMatch(/#\d+ {2}attestation-issued {2}logged-attested@1\.0\.0 {2}SHA256:\S+ {2}sha256:[0-9a-f]{64}/);
  });

  it('a restart keeps every index and proof valid, and the log grows consistently from it', async () => {
    const before = await publishBundle('logged-attested', '1.0.0');
    const sizeBefore = (await servedLog()).checkpoint.size;
    await registry.stop();
    registry = await startRegistry({ storage, port });
    await publishAttested('logged-attested', '1.1.0');
    const after = await publishBundle('logged-attested', '1.1.0');
    expect(await publishBundle('logged-attested', '1.0.0')).toEqual(before);
    const oldIndex = await checkAgainstLog(before);
    const newIndex = await checkAgainstLog(after);
    expect(newIndex).toBeGreaterThanOrEqual(sizeBefore); // no key-added again: the log already holds this key
    expect(oldIndex).toBeLessThan(sizeBefore);
    const verifier = await stockVerifier();
    for (const bundle of [before, after]) expect(() => verifier.verify(toSignedEntity(bundleFromJSON(bundle)))).not.toThrow();
    const entries = (await servedLog()).entries.map((e) => JSON.parse(e.toString()) as { type?: string });
    expect(entries.filter((e) => e.type === 'key-added')).toHaveLength(1);
  });
});

describe('a publish attestation stored before the log recorded them', () => {
  it('is re-issued with the active key and logged when served, and then verifies with the trusted root', async () => {
    const file = join(storage, '.vouch', 'attestations', 'logged-attested', '1.1.0.json');
    const stored = JSON.parse(await readFile(file, 'utf8')) as { attestations: { predicateType: string; bundle: Bundle }[] };
    const unlogged = stored.attestations.map((a) =>
      a.predicateType === PUBLISH_PREDICATE
        ? { ...a, bundle: { ...a.bundle, verificationMaterial: { publicKey: a.bundle.verificationMaterial.publicKey } } }
        : a,
    );
    await writeFile(file, JSON.stringify({ attestations: unlogged }));
    const sizeBefore = (await servedLog()).checkpoint.size;
    const reissued = await publishBundle('logged-attested', '1.1.0');
    expect(Number(reissued.verificationMaterial.tlogEntries[0]!.logIndex)).toBe(sizeBefore);
    expect(reissued.dsseEnvelope).toEqual(unlogged.find((a) => a.predicateType === PUBLISH_PREDICATE)!.bundle.dsseEnvelope);
    await checkAgainstLog(reissued);
    const verifier = await stockVerifier();
    expect(() => verifier.verify(toSignedEntity(bundleFromJSON(reissued)))).not.toThrow();
    expect(await publishBundle('logged-attested', '1.1.0')).toEqual(reissued); // stored: re-issued once
  });
});

describe("npm audit signatures on a tree with the registry's logged publish attestations", () => {
  it('no longer crashes: it reads the tlog entry and reports the attestation it cannot verify against public-good Sigstore', async () => {
    const project = await registry.tempDir('npm-project');
    await writeProject(project, { dependencies: { 'logged-plain': '1.0.0', 'logged-attested': '1.0.0' } });
    const install = await registry.npm(['install'], { cwd: project, stateDir: await registry.tempDir('npm-install'), retries: 'npm-default' });
    expect(install.code, install.stderr).toBe(0);
    const audit = await registry.npm(['audit', 'signatures', '--json'], {
      cwd: project,
      stateDir: await registry.tempDir('npm-audit'),
      retries: 'npm-default',
    });
    // Before the log, npm 11 stopped here with "Cannot read properties of undefined (reading '0')" (no tlogEntries).
    expect(audit.stderr).not.toMatch(/Cannot read properties/);
    // Observed (npm 11, offline keys preload): the registry signatures verify (keys from /-/npm/v1/keys); npm then
    // reads the entry's integratedTime for the key's expiry and hands the bundle to sigstore.verify, which
    // trusts only public-good Sigstore (TUF, unreachable here: "error refreshing TUF metadata"; online, the
    // registry's log is not in that root either). So the attestation is reported invalid, exit 1.
    expect(audit.stderr).toContain('Fetching verification keys using TUF failed');
    expect(audit.code, audit.stdout + audit.stderr).toBe(1);
    const report = JSON.parse(audit.stdout) as { invalid: Record<string, unknown>[]; missing: unknown[] };
    expect(report.missing).toEqual([]);
    expect(report.invalid).toEqual([
      expect.objectContaining({
        code: 'EATTESTATIONVERIFY',
        name: 'logged-attested',
        version: '1.0.0',
        predicateType: PUBLISH_PREDICATE,
        keyid: registry.keyid,
        message: 'logged-attested@1.0.0 failed to verify attestation: error refreshing TUF metadata',
      }),
    ]);
  });
});
