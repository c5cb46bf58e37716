// Key rotation and revocation with the operator commands, on the real registry, the real npm and the
// built CLI. Rotation: versions published under key A (one carrying the registry's publish attestation)
// and a consumer installed with `vouch install`; the registry stops, `vouch registry rotate --from A --to B`
// runs (interrupted once with --limit, then resumed), and the registry restarts with
// `--key B --key A=<now>`. Every signature and publish attestation then verifies under B, B carries A's
// endorsement, tarballs and integrity are unchanged, and vouch and npm keep passing.
// Revocation: `vouch registry revoke --key A.pub` on another storage, restart without rotating: A is
// listed as revoked and nothing served is signed by it (re-signed with B when served).
import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keySigner } from '../../lib/sign/index.js';
import { checkEndorsement, keyIdMatches } from '../../lib/verify/key-endorsement.js';
import { startHostileRegistry } from '../support/hostile-registry.js';
import { keygen, maintainerEnv, vouchPublish } from '../support/maintainer.js';
import { writePackage } from '../support/packages.js';
import { npmEnv, packTarball, runNpm } from '../support/npm.js';
import { snapshotProject, writeProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runVouch, type VouchResult } from '../support/vouch.js';

const PUBLISH_PREDICATE = 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1';

type Dist = { integrity: string; tarball: string; signatures: { keyid: string; sig: string }[]; attestations?: { url: string } };
type Packument = { versions: Record<string, { dist: Dist }> };
type KeyEntry = {
  expires: string | null;
  keyid: string;
  keytype: string;
  scheme: string;
  key: string;
  endorsements?: { keyid: string; sig: string }[];
  revoked?: string;
};
type KeysBody = { keys: KeyEntry[] };
type LockFile = { packages: unknown; registries?: Record<string, { keys: Record<string, { expires?: string; revoked?: string }> }> } & Record<string, unknown>;
type Attestations = { attestations: { predicateType: string; bundle: Record<string, unknown> }[] };
type Report = {
  decision: string;
  packages: {
    name: string;
    version: string;
    decision: string;
    findings: { code: string }[];
    evidence: { signature: { kind: string; keyids?: string[] }; attestations: { kind: string; publish?: { keyid: string } | null } };
  }[];
};

/** The versions of this suite: [name, version, carries the registry's publish attestation]. */
const VERSIONS: [string, string, boolean][] = [
  ['rot-plain', '1.0.0', false],
  ['rot-attested', '1.0.0', true],
];

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'vouch-rotate-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('vouch registry rotate', () => {
  let registry: TestRegistry | undefined;
  let storage: string;
  let keyA: string;
  let keyB: string;
  let keyidA: string;
  let port: number;
  let consumer: string;
  let npmProject: string;
  let before: Map<string, { dist: Dist; tarball: Buffer }>;
  let installedUnderA: Report;
  const rotateRuns: VouchResult[] = [];

  beforeAll(async () => {
    storage = join(work, 'rotate-storage');
    keyA = await writeKey(join(work, 'a.pem'));
    keyB = await writeKey(join(work, 'b.pem'));
    registry = await startRegistry({ storage, keys: [keyA] });
    keyidA = registry.keyid;
    port = Number(new URL(registry.url).port);
    await publishVersions(registry, work);
    before = await servedVersions(registry);

    // A consumer installed with vouch (vouch.lock records key A) and an npm project (for npm audit signatures).
    consumer = join(work, 'consumer');
    await writeProject(consumer, { dependencies: Object.fromEntries(VERSIONS.map(([n, v]) => [n, v])) });
    const installed = await vouch(registry, ['install', '--format', 'json'], consumer);
    expect(installed.code, installed.stderr + installed.stdout).toBe(0);
    installedUnderA = installed.json as Report;
    npmProject = join(work, 'npm-project');
    await writeProject(npmProject, { dependencies: { 'rot-plain': '1.0.0' } });
    const npmInstall = await registry.npm(['install'], { cwd: npmProject, stateDir: join(work, 'npm-state') });
    expect(npmInstall.code, npmInstall.stderr).toBe(0);
    await registry.stop();

    // Interrupted once (--limit 1), resumed, then run again once finished.
    const rotate = ['registry', 'rotate', '--storage', storage, '--from', keyA, '--to', keyB];
    rotateRuns.push(await runVouch([...rotate, '--limit', '1'], { cwd: work }));
    rotateRuns.push(await runVouch(rotate, { cwd: work }));
    rotateRuns.push(await runVouch([...rotate, '--json'], { cwd: work }));

    registry = await startRegistry({ storage, keys: [keyB, `${keyA}=${new Date().toISOString()}`], port });
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it('stops after --limit versions, resumes, and says there is nothing left once finished', () => {
    const [first, second, third] = rotateRuns;
    expect(first!.code, first!.stderr).toBe(0);
    expect(first!.stdout).toContain('re-signed    1 versions');
    expect(first!.stdout).toContain('run the same command again to continue');
    expect(second!.code, second!.stderr).toBe(0);
    expect(second!.stdout).toContain('re-signed    1 versions');
    expect(second!.stdout).toContain('skipped      0 versions');
    expect(second!.stdout).toContain(`endorsement  ${registry!.keyid} endorsed by ${keyidA}`);
    expect(second!.stdout).toContain('Done. Restart the registry with');
    expect(third!.code, third!.stderr).toBe(0);
    expect(third!.json).toMatchObject({ status: 'already-finished', from: keyidA, to: registry!.keyid, total: { resigned: 2, skipped: 0, refused: 0 } });
  });

  it("serves B first with A's endorsement, which checkEndorsement accepts, and A with its expiry", async () => {
    const keys = ((await registry!.get('-/npm/v1/keys')).json as KeysBody).keys;
    const [b, a] = keys;
    expect(keys.map((k) => k.keyid)).toEqual([registry!.keyid, keyidA]);
    expect(Object.keys(b!)).toEqual(['expires', 'keyid', 'keytype', 'scheme', 'key', 'endorsements']);
    expect(b!.expires).toBeNull();
    expect(a!.expires).not.toBeNull();
    expect(a!.revoked).toBeUndefined();
    expect(b!.endorsements).toHaveLength(1);
    expect(checkEndorsement(b!, b!.endorsements![0]!, a!)).toBe(true);
    expect(keys.every((k) => keyIdMatches(k))).toBe(true);
  });

  it('signs every version and its publish attestation with B, and changes no tarball and no integrity', async () => {
    const keys = ((await registry!.get('-/npm/v1/keys')).json as KeysBody).keys;
    const after = await servedVersions(registry!);
    for (const [name, version, attested] of VERSIONS) {
      const was = before.get(`${name}@${version}`)!;
      const now = after.get(`${name}@${version}`)!;
      expect(was.dist.signatures.map((s) => s.keyid)).toEqual([keyidA]);
      expect(now.dist.integrity).toBe(was.dist.integrity);
      expect(now.tarball.equals(was.tarball)).toBe(true);
      expect(now.dist.signatures.map((s) => s.keyid)).toEqual([registry!.keyid]);
      expect(verifies(keys, registry!.keyid, `${name}@${version}:${now.dist.integrity}`, now.dist.signatures[0]!.sig)).toBe(true);
      if (!attested) continue;
      const served = (await registry!.get(`-/npm/v1/attestations/${name}@${version}`)).json as Attestations;
      const publish = served.attestations.filter((a) => a.predicateType === PUBLISH_PREDICATE);
      expect(publish).toHaveLength(1);
      expect(publish[0]!.bundle['dsseEnvelope']).toMatchObject({ signatures: [{ keyid: registry!.keyid }] });
      const verifier = await registryKeyVerifier(registry!, keys);
      expect(() => verifier.verify(toSignedEntity(bundleFromJSON(publish[0]!.bundle)))).not.toThrow();
    }
  });

  it('keeps the consumer installed under A verifying (vouch verify), and a fresh vouch install passing, both under B', async () => {
    expect(keysSeen(installedUnderA)).toEqual(['rot-attested@1.0.0 sig:' + keyidA + ' publish:' + keyidA, 'rot-plain@1.0.0 sig:' + keyidA]);
    expect(await readFile(join(consumer, 'vouch.lock'), 'utf8')).toContain(keyidA);
    const lockBefore = await readFile(join(consumer, 'vouch.lock'), 'utf8');

    const verified = await vouch(registry!, ['verify', '--format', 'json'], consumer);
    expect(verified.code, verified.stderr + verified.stdout).toBe(0);
    const keyidB = registry!.keyid;
    expect(keysSeen(verified.json as Report)).toEqual(['rot-attested@1.0.0 sig:' + keyidB + ' publish:' + keyidB, 'rot-plain@1.0.0 sig:' + keyidB]);
    expect(await readFile(join(consumer, 'vouch.lock'), 'utf8')).toBe(lockBefore);

    const fresh = join(work, 'fresh-consumer');
    await writeProject(fresh, { dependencies: Object.fromEntries(VERSIONS.map(([n, v]) => [n, v])) });
    const installed = await vouch(registry!, ['install', '--format', 'json'], fresh);
    expect(installed.code, installed.stderr + installed.stdout).toBe(0);
    expect(keysSeen(installed.json as Report)).toEqual(keysSeen(verified.json as Report));
  });

  it("keeps the old project's vouch ci passing with no approval; vouch.lock stays as it was, and --update-lock only adds the registry's new key", async () => {
    const lockText = await readFile(join(consumer, 'vouch.lock'), 'utf8');
    const lockBefore = JSON.parse(lockText) as LockFile;
    const ci = await vouch(registry!, ['ci', '--format', 'json'], consumer);
    expect(ci.code, ci.stderr + ci.stdout).toBe(0);
    expect(await readFile(join(consumer, 'vouch.lock'), 'utf8')).toBe(lockText);

    const updated = await vouch(registry!, ['ci', '--update-lock', '--format', 'json'], consumer);
    expect(updated.code, updated.stderr + updated.stdout).toBe(0);
    const lockAfter = JSON.parse(await readFile(join(consumer, 'vouch.lock'), 'utf8')) as LockFile;
    // Per version: integrity and evidence kind unchanged; the registry key is now B (and the evidence digest, which covers it).
    const keyFree = (lock: LockFile) =>
      JSON.parse(JSON.stringify(lock.packages, (k, v: unknown) => (k === 'registryKey' || k === 'evidence' ? undefined : v))) as unknown;
    expect(keyFree(lockAfter)).toEqual(keyFree(lockBefore));
    expect(JSON.stringify(lockBefore.packages).split(keyidA).length - 1).toBe(VERSIONS.length);
    expect(JSON.stringify(lockAfter.packages).split(registry!.keyid).length - 1).toBe(VERSIONS.length);
    // The registry's pin: A kept (now with its expiry), B added, endorsed by A; nothing else.
    const pinBefore = lockBefore.registries?.[registry!.url];
    const pinAfter = lockAfter.registries?.[registry!.url];
    expect(Object.keys(pinBefore?.keys ?? {})).toEqual([keyidA]);
    expect(Object.keys(pinAfter?.keys ?? {}).sort()).toEqual([keyidA, registry!.keyid].sort());
    expect(pinAfter?.keys[keyidA]?.expires).toEqual(expect.any(String));
    expect({ ...lockAfter, registries: undefined, packages: undefined }).toEqual({ ...lockBefore, registries: undefined, packages: undefined });
  });

  it('denies a version signed after the rotation with the retired key A, its publish time set back: not in the signing log (SIGNATURE_NOT_LOGGED), where npm installs it', async () => {
    const hostile = await startHostileRegistry(registry!.url);
    try {
      const version = '1.0.9';
      const tarball = await packTarball(await writePackage(join(work, 'forged'), { name: 'rot-plain', version, files: { 'payload.js': 'steal()' } }));
      const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
      const sig = (await keySigner(await readFile(keyA, 'utf8')).sign(Buffer.from(`rot-plain@${version}:${integrity}`))).toString('base64');
      const path = `/rot-plain/-/rot-plain-${version}.tgz`;
      hostile.on('/rot-plain', {
        kind: 'json',
        rewrite: (body) => {
          const doc = body as { versions: Record<string, unknown>; time: Record<string, string>; 'dist-tags': Record<string, string> };
          doc.versions[version] = {
            name: 'rot-plain',
            version,
            dist: { integrity, tarball: `${hostile.url}${path.slice(1)}`, signatures: [{ keyid: keyidA, sig }] },
          };
          doc.time[version] = doc.time['1.0.0']!; // before A retired
          doc['dist-tags'] = { latest: version };
          return doc;
        },
      });
      hostile.on(path, { kind: 'body', body: tarball, type: 'application/octet-stream' });

      const project = join(work, 'after-rotation');
      await writeProject(project, { dependencies: { 'rot-plain': version } });
      const before = await snapshotProject(project);
      const env = await npmEnv(await mkdtemp(join(work, 'hostile-state-')), { url: hostile.url });
      const denied = await runVouch(['install', '--format', 'json'], { cwd: project, env });
      expect(denied.code, denied.stderr + denied.stdout).toBe(1);
      const pkg = (denied.json as Report).packages.find((p) => p.version === version)!;
      // The leaked key signs outside the registry's signing path: the log holds no such signature.
      expect(pkg.findings.map((f) => f.code)).toEqual(['SIGNATURE_NOT_LOGGED']);
      expect(await snapshotProject(project)).toEqual(before);

      // Naming a real entry of the log (another version's) does not help: the entry records another event.
      hostile.reset();
      hostile.on('/rot-plain', {
        kind: 'json',
        rewrite: (body) => {
          const doc = body as {
            versions: Record<string, { dist: { signatures: { logIndex?: number }[] } }>;
            time: Record<string, string>;
            'dist-tags': Record<string, string>;
          };
          const logIndex = doc.versions['1.0.0']!.dist.signatures[0]!.logIndex;
          (doc as { versions: Record<string, unknown> }).versions[version] = {
            name: 'rot-plain',
            version,
            dist: { integrity, tarball: `${hostile.url}${path.slice(1)}`, signatures: [{ keyid: keyidA, sig, logIndex }] },
          };
          doc.time[version] = doc.time['1.0.0']!;
          doc['dist-tags'] = { latest: version };
          return doc;
        },
      });
      hostile.on(path, { kind: 'body', body: tarball, type: 'application/octet-stream' });
      const borrowed = await runVouch(['install', '--format', 'json'], {
        cwd: project,
        env: await npmEnv(await mkdtemp(join(work, 'hostile-state-')), { url: hostile.url }),
      });
      expect(borrowed.code, borrowed.stderr + borrowed.stdout).toBe(1);
      const again = (borrowed.json as Report).packages.find((p) => p.version === version)!;
      expect(again.findings.map((f) => `${f.code}: ${f.message}`)).toEqual([expect.stringMatching(/^SIGNATURE_NOT_LOGGED: .*records another signing event/)]);
      expect(await snapshotProject(project)).toEqual(before);

      // npm judges A's expiry on the packument's time, which the attacker set: it installs the forgery.
      const npmProject = join(work, 'after-rotation-npm');
      await writeProject(npmProject, { dependencies: { 'rot-plain': version } });
      const npmState = await mkdtemp(join(work, 'hostile-npm-'));
      const npmEnvHostile = await npmEnv(npmState, { url: hostile.url });
      expect((await runNpm(['install'], npmProject, npmEnvHostile)).code).toBe(0);
      const audit = await runNpm(['audit', 'signatures'], npmProject, npmEnvHostile);
      expect(audit.stdout).toContain('1 package has a verified registry signature');
    } finally {
      await hostile.close();
    }
  });

  it('keeps the real npm audit signatures passing on a project installed before the rotation', async () => {
    const audit = await registry!.npm(['audit', 'signatures'], { cwd: npmProject, stateDir: join(work, 'npm-audit-state') });
    expect(audit.stdout).toContain('1 package has a verified registry signature');
    expect(audit.code, audit.stderr).toBe(0);
  });
});

describe('vouch registry revoke', () => {
  let registry: TestRegistry | undefined;
  let storage: string;
  let keyA: string;
  let keyB: string;
  let keyidA: string;
  let revoke: VouchResult;
  let activeRevoked: VouchResult;
  let port: number;
  let consumer: string;
  let before: Map<string, { dist: Dist; tarball: Buffer }>;

  beforeAll(async () => {
    storage = join(work, 'revoke-storage');
    keyA = await writeKey(join(work, 'revoke-a.pem'));
    keyB = await writeKey(join(work, 'revoke-b.pem'));
    registry = await startRegistry({ storage, keys: [keyA] });
    keyidA = registry.keyid;
    await publishVersions(registry, join(work, 'revoke'));
    before = await servedVersions(registry);
    port = Number(new URL(registry.url).port);
    consumer = join(work, 'revoke-consumer');
    await writeProject(consumer, { dependencies: Object.fromEntries(VERSIONS.map(([n, v]) => [n, v])) });
    const installed = await vouch(registry, ['install', '--format', 'json'], consumer);
    expect(installed.code, installed.stderr + installed.stdout).toBe(0);
    await registry.stop();

    // A compromised key is revoked from its public half alone; no rotate is run.
    const publicA = join(work, 'revoke-a.pub.pem');
    await writeFile(publicA, createPublicKey(await readFile(keyA, 'utf8')).export({ type: 'spki', format: 'pem' }));
    revoke = await runVouch(['registry', 'revoke', '--storage', storage, '--key', publicA, '--at', '2027-02-01T00:00:00Z'], { cwd: work });
    activeRevoked = await runVouch(['registry', '--storage', storage, '--key', keyA, '--port', '0', '--json'], { cwd: work });
    registry = await startRegistry({ storage, keys: [keyB, `${keyA}=2027-01-10T12:00:00Z`], port });
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it('records the revocation, and refuses to start with the revoked key active (exit 2)', () => {
    expect(revoke.code, revoke.stderr).toBe(0);
    expect(revoke.stdout).toContain(`${keyidA} revoked 2027-02-01T00:00:00.000Z`);
    expect(activeRevoked.code).toBe(2);
    expect(activeRevoked.stderr).toContain('was revoked');
  });

  it('lists A with revoked (and an expiry npm rejects), and no endorsement by A', async () => {
    const keys = ((await registry!.get('-/npm/v1/keys')).json as KeysBody).keys;
    expect(keys.map((k) => [k.keyid, k.expires, k.revoked ?? null, k.endorsements ?? null])).toEqual([
      [registry!.keyid, null, null, null],
      [keyidA, '1970-01-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z', null],
    ]);
  });

  it('serves no signature and no publish attestation by A: both are re-signed with B, over the same integrity', async () => {
    const keys = ((await registry!.get('-/npm/v1/keys')).json as KeysBody).keys;
    const after = await servedVersions(registry!);
    for (const [name, version, attested] of VERSIONS) {
      const was = before.get(`${name}@${version}`)!;
      const now = after.get(`${name}@${version}`)!;
      expect(was.dist.signatures[0]!.keyid).toBe(keyidA);
      expect(now.dist.integrity).toBe(was.dist.integrity);
      expect(now.tarball.equals(was.tarball)).toBe(true);
      expect(now.dist.signatures.map((s) => s.keyid)).toEqual([registry!.keyid]);
      expect(verifies(keys, registry!.keyid, `${name}@${version}:${now.dist.integrity}`, now.dist.signatures[0]!.sig)).toBe(true);
      if (!attested) continue;
      const served = await registry!.get(`-/npm/v1/attestations/${name}@${version}`);
      expect(served.text).not.toContain(keyidA);
      const publish = (served.json as Attestations).attestations.find((a) => a.predicateType === PUBLISH_PREDICATE)!;
      const verifier = await registryKeyVerifier(registry!, keys);
      expect(() => verifier.verify(toSignedEntity(bundleFromJSON(publish.bundle)))).not.toThrow();
    }
  });

  it('stops a project that pinned A: its vouch ci denies the unendorsed new key until vouch approve --registry records the revocation', async () => {
    const lockText = await readFile(join(consumer, 'vouch.lock'), 'utf8');
    const ci = await vouch(registry!, ['ci', '--format', 'json'], consumer);
    expect(ci.code, ci.stderr + ci.stdout).toBe(1);
    const entry = (ci.json as { registries: { url: string; findings: { code: string }[] }[] }).registries.find((r) => r.url === registry!.url);
    expect(entry?.findings.map((f) => f.code)).toEqual(['REGISTRY_KEY_ADDED']);
    expect(await readFile(join(consumer, 'vouch.lock'), 'utf8')).toBe(lockText);

    const approve = await vouch(registry!, ['approve', '--registry', registry!.url, '--reason', 'A compromised, B announced by the operator'], consumer);
    expect(approve.code, approve.stderr + approve.stdout).toBe(0);
    const pin = (JSON.parse(await readFile(join(consumer, 'vouch.lock'), 'utf8')) as LockFile).registries?.[registry!.url];
    expect(pin?.keys[keyidA]).toMatchObject({ revoked: '2027-02-01T00:00:00.000Z' });
    expect(Object.keys(pin?.keys ?? {}).sort()).toEqual([keyidA, registry!.keyid].sort());
    const after = await vouch(registry!, ['ci', '--format', 'json'], consumer);
    expect(after.code, after.stderr + after.stdout).toBe(0);
  });

  it('lets a fresh vouch install and npm audit signatures pass', async () => {
    const fresh = join(work, 'revoke-consumer');
    await writeProject(fresh, { dependencies: Object.fromEntries(VERSIONS.map(([n, v]) => [n, v])) });
    const installed = await vouch(registry!, ['install', '--format', 'json'], fresh);
    expect(installed.code, installed.stderr + installed.stdout).toBe(0);
    const keyidB = registry!.keyid;
    expect(keysSeen(installed.json as Report)).toEqual(['rot-attested@1.0.0 sig:' + keyidB + ' publish:' + keyidB, 'rot-plain@1.0.0 sig:' + keyidB]);
    const npmProject = join(work, 'revoke-npm');
    await writeProject(npmProject, { dependencies: { 'rot-plain': '1.0.0' } });
    const stateDir = join(work, 'revoke-npm-state');
    expect((await registry!.npm(['install'], { cwd: npmProject, stateDir })).code).toBe(0);
    const audit = await registry!.npm(['audit', 'signatures'], { cwd: npmProject, stateDir });
    expect(audit.stdout).toContain('1 package has a verified registry signature');
    expect(audit.code, audit.stderr).toBe(0);
  });
});

/** Per package of a vouch report (all allowed, no findings): the keys its signature and publish attestation verified with. */
function keysSeen(report: Report): string[] {
  expect(report.decision).toBe('allow');
  return report.packages.map((p) => {
    expect([p.name, p.decision, p.findings.map((f) => f.code)]).toEqual([p.name, 'allow', []]);
    const publish = p.evidence.attestations.publish;
    return `${p.name}@${p.version} sig:${(p.evidence.signature.keyids ?? []).join(',')}${publish ? ` publish:${publish.keyid}` : ''}`;
  });
}

/** rot-plain@1.0.0 by npm publish; rot-attested@1.0.0 by vouch publish (publisher + registry publish attestation). */
async function publishVersions(registry: TestRegistry, dir: string): Promise<void> {
  await registry.publish(await writePackage(join(dir, 'packages'), { name: 'rot-plain', version: '1.0.0' }));
  const env = await maintainerEnv(registry);
  const key = await keygen(registry, env, 'publisher');
  await vouchPublish(registry, env, await writePackage(join(dir, 'packages'), { name: 'rot-attested', version: '1.0.0' }), key.privateKeyFile);
}

/** Each version's dist and tarball bytes as served now. */
async function servedVersions(registry: TestRegistry): Promise<Map<string, { dist: Dist; tarball: Buffer }>> {
  const out = new Map<string, { dist: Dist; tarball: Buffer }>();
  for (const [name, version] of VERSIONS) {
    const dist = ((await registry.get(name)).json as Packument).versions[version]!.dist;
    const tarball = await fetch(dist.tarball);
    expect(tarball.status).toBe(200);
    out.set(`${name}@${version}`, { dist, tarball: Buffer.from(await tarball.arrayBuffer()) });
  }
  return out;
}

/** vouch with npm state of its own (a fresh cache: nothing served before the restart is reused). */
async function vouch(registry: TestRegistry, args: string[], cwd: string): Promise<VouchResult> {
  return runVouch(args, { cwd, env: await registry.npmEnv(await mkdtemp(join(work, 'vouch-state-'))) });
}

async function writeKey(file: string): Promise<string> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return file;
}

function verifies(keys: KeyEntry[], keyid: string, message: string, sig: string): boolean {
  const entry = keys.find((k) => k.keyid === keyid);
  if (!entry) return false;
  const key = createPublicKey({ key: Buffer.from(entry.key, 'base64'), format: 'der', type: 'spki' });
  return verify('sha256', Buffer.from(message), key, Buffer.from(sig, 'base64'));
}

/** A verifier that trusts only the registry's published, unrevoked keys, with no log or timestamp required. */
async function registryKeyVerifier(registry: TestRegistry, keys: KeyEntry[]): Promise<Verifier> {
  // The registry's publish attestations carry an entry of its signing log: trust that log (its trusted root).
  const trust = toTrustMaterial(TrustedRoot.fromJSON((await registry.get('-/vouch/trusted_root.json')).json), (hint: string) => {
    const entry = keys.find((k) => k.keyid === hint && !k.revoked);
    if (!entry) throw new Error(`no usable registry key ${hint}`);
    return { publicKey: createPublicKey({ key: Buffer.from(entry.key, 'base64'), format: 'der', type: 'spki' }), validFor: () => true };
  });
  return new Verifier(trust, { ctlogThreshold: 0 });
}
