// Tampering, end to end: real packages on a signing Verdaccio (its key ring holds an active key and a key
// retired on 2025-01-01), provenance from a private Sigstore deployment, and the hostile registry in front
// rewriting what a compromised mirror or registry could. Every case is denied with the code that names the
// defect, and the project is byte-for-byte as it was — except the foreign `resolved`, which vouch installs
// from the registry that signed the bytes and reports.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPrivateSigstore, type PrivateSigstore } from '../../fixtures/scripts/private-sigstore.js';
import { publishStatement } from '../../packages/vouch-registry/lib/publish-attestation.js';
import { buildKeyedBundle, keySigner } from '../../lib/sign/index.js';
import { PREDICATE_PUBLISH_NPM } from '../../lib/verify/types.js';
import { packTarball, runNpm } from '../support/npm.js';
import { writePackage } from '../support/packages.js';
import { copyProject, readJson, snapshotProject } from '../support/project.js';
import { githubIdentity, publishWithProvenance } from '../support/provenance.js';
import { findingCodes, jsonReport, reportPackage, startWorld, withoutSigningLog, type World } from './world.js';

let world: World;
let sigstore: PrivateSigstore;
let trustedRoot: string;
let activePem: string;
let retiredPem: string;
let evilTarball: Buffer;
let keyDir: string;
let installed: string; // left@1.0.0, tampered@1.0.0 and @acme/widget@1.0.0, installed and pinned
let n = 0;

const RETIRED_AT = '2025-01-01T00:00:00Z';

beforeAll(async () => {
  const keys = { active: generateKeyPairSync('ec', { namedCurve: 'P-256' }), retired: generateKeyPairSync('ec', { namedCurve: 'P-256' }) };
  activePem = keys.active.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  retiredPem = keys.retired.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  keyDir = await mkdtemp(join(tmpdir(), 'vouch-adv-keys-'));
  await writeFile(join(keyDir, 'active.pem'), activePem, { mode: 0o600 });
  await writeFile(join(keyDir, 'retired.pem'), retiredPem, { mode: 0o600 });
  world = await startWorld('tamper', { keys: [join(keyDir, 'active.pem'), `${join(keyDir, 'retired.pem')}=${RETIRED_AT}`] });

  sigstore = await createPrivateSigstore();
  trustedRoot = join(world.work, 'trusted-root.json');
  await writeFile(trustedRoot, sigstore.trustedRootJSON);
  const src = await world.registry.tempDir('packages');
  for (const spec of [
    { name: 'left', version: '1.0.0' },
    { name: 'left', version: '1.0.1' },
    { name: 'tampered', version: '1.0.0' },
    { name: 'evil', version: '1.0.0' },
  ])
    await world.registry.publish(await writePackage(src, spec));
  await publishWithProvenance(world.registry, await writePackage(src, { name: '@acme/widget', version: '1.0.0' }), sigstore, githubIdentity('acme/widget'));
  await publishWithProvenance(world.registry, await writePackage(src, { name: '@acme/other', version: '1.0.0' }), sigstore, githubIdentity('acme/other'));
  // 1.0.1 is built by another repository: a valid signature by the same CA, over the right tarball.
  await publishWithProvenance(world.registry, await writePackage(src, { name: '@acme/widget', version: '1.0.1' }), sigstore, githubIdentity('evil/widget'));
  evilTarball = await packTarball(await writePackage(join(src, 'evil'), { name: 'tampered', version: '1.0.0', files: { 'payload.js': 'steal()' } }));

  installed = await world.project('installed');
  const result = await vouch(['install', 'left@1.0.0', 'tampered@1.0.0', '@acme/widget@1.0.0'], installed);
  expect(result.code, result.stderr).toBe(0);
});

afterAll(async () => {
  await world?.stop();
  if (keyDir) await rm(keyDir, { recursive: true, force: true });
});

beforeEach(() => world.hostile.reset());

function vouch(args: string[], cwd: string) {
  return world.vouch([...args, '--trusted-root', trustedRoot, '--format', 'json'], cwd);
}

async function copyOfInstalled(): Promise<string> {
  return copyProject(installed, join(world.work, `copy-${++n}`));
}

const sri = (bytes: Buffer): string => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;

/** The advertised attestations path of a version, read from the real registry. */
async function attestationsPath(name: string, version: string): Promise<string> {
  const doc = (await world.registry.get(encodeURIComponent(name))).json as { versions: Record<string, { dist: { attestations?: { url: string } } }> };
  const url = doc.versions[version]?.dist.attestations?.url;
  if (!url) throw new Error(`${name}@${version} advertises no attestations`);
  return new URL(url).pathname;
}

type Packument = { versions: Record<string, { dist: { integrity: string; signatures: { keyid: string; sig: string }[] } }> };

describe('the bytes', () => {
  it('a tarball whose bytes differ from the signed integrity is TARBALL_MISMATCH, and nothing is installed', async () => {
    world.hostile.on('/tampered/-/tampered-1.0.0.tgz', { kind: 'body', body: evilTarball, type: 'application/octet-stream' });
    const dir = await world.project('tarball');
    const before = await snapshotProject(dir);
    const result = await vouch(['install', 'tampered@1.0.0'], dir);
    expect(result.code, result.stderr).toBe(1);
    expect(world.hostile.count('/tampered/-/tampered-1.0.0.tgz')).toBeGreaterThan(0);
    expect(findingCodes(jsonReport(result), 'tampered')).toEqual(['TARBALL_MISMATCH']);
    expect(await snapshotProject(dir)).toEqual(before);
  });

  it('a lockfile integrity edited to match a tampered tarball still fails against the signed integrity', async () => {
    const dir = await copyOfInstalled();
    const lockFile = join(dir, 'package-lock.json');
    const lock = (await readJson(lockFile)) as { packages: Record<string, { integrity?: string }> };
    lock.packages['node_modules/tampered']!.integrity = sri(evilTarball);
    await writeFile(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
    world.hostile.on('/tampered/-/tampered-1.0.0.tgz', { kind: 'body', body: evilTarball, type: 'application/octet-stream' });
    const before = await snapshotProject(dir);
    const result = await vouch(['ci'], dir);
    expect(result.code, result.stderr).toBe(1);
    const entry = reportPackage(jsonReport(result), 'tampered');
    // the registry's signature is fine; the lockfile's integrity is not the one it covers
    expect(entry.evidence.signature?.kind).toBe('verified');
    expect(entry.evidence.integrity).toMatchObject({ kind: 'failed', code: 'INTEGRITY_MISMATCH' });
    expect(entry.findings.map((f) => f.code)).toContain('INTEGRITY_MISMATCH');
    expect(await snapshotProject(dir)).toEqual(before);
  });

  it('a lockfile integrity with a second sha512 is INTEGRITY_AMBIGUOUS: npm ci accepts either hash and would install the evil tarball', async () => {
    const dir = await copyOfInstalled();
    const lockFile = join(dir, 'package-lock.json');
    const lock = (await readJson(lockFile)) as { packages: Record<string, { integrity?: string }> };
    const entry = lock.packages['node_modules/tampered']!;
    entry.integrity = `${entry.integrity} ${sri(evilTarball)}`;
    await writeFile(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
    world.hostile.on('/tampered/-/tampered-1.0.0.tgz', { kind: 'body', body: evilTarball, type: 'application/octet-stream' });
    const before = await snapshotProject(dir);
    const result = await vouch(['verify'], dir);
    expect(result.code, result.stderr).toBe(1);
    expect(reportPackage(jsonReport(result), 'tampered').evidence.integrity).toMatchObject({ kind: 'failed', code: 'INTEGRITY_AMBIGUOUS' });
    expect(findingCodes(jsonReport(result), 'tampered')).toEqual(['INTEGRITY_AMBIGUOUS']);
    expect(await snapshotProject(dir)).toEqual(before);
    // what `vouch verify && npm ci` now stops: real npm, cold cache, installs the evil bytes
    const npm = await runNpm(['ci', '--ignore-scripts', '--no-audit', '--no-fund'], dir, await world.env());
    expect(npm.code, npm.stderr).toBe(0);
    expect(await readFile(join(dir, 'node_modules', 'tampered', 'payload.js'), 'utf8')).toBe('steal()');
  });

  it('a lockfile `resolved` on another host is reported, never contacted: the signed bytes come from the registry', async () => {
    const dir = await copyOfInstalled();
    const lockFile = join(dir, 'package-lock.json');
    const lock = (await readJson(lockFile)) as { packages: Record<string, { resolved?: string }> };
    lock.packages['node_modules/left']!.resolved = `${world.hostile.foreign.url}left/-/left-1.0.0.tgz`;
    await writeFile(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
    const result = await vouch(['ci'], dir);
    expect(result.code, result.stderr).toBe(0);
    const entry = reportPackage(jsonReport(result), 'left');
    expect(entry.findings.map((f) => [f.code, f.severity])).toEqual([['RESOLVED_FOREIGN_HOST', 'warn']]);
    expect(world.hostile.foreign.requests).toEqual([]);
    expect(world.hostile.count('/left/-/left-1.0.0.tgz')).toBe(1);
    expect(await readJson(join(dir, 'node_modules', 'left', 'package.json'))).toMatchObject({ name: 'left', version: '1.0.0' });
  });
  it("a lockfile `resolved` on the registry itself but at another package's tarball is RESOLVED_MISMATCH, however it is spelled", async () => {
    for (const path of ['evil/-/evil-1.0.0.tgz', 'left/../evil/-/evil-1.0.0.tgz', 'left/%2e%2e/evil/-/evil-1.0.0.tgz', 'left%2f..%2fevil/-/evil-1.0.0.tgz']) {
      const dir = await copyOfInstalled();
      const lockFile = join(dir, 'package-lock.json');
      const lock = (await readJson(lockFile)) as { packages: Record<string, { resolved?: string }> };
      lock.packages['node_modules/left']!.resolved = `${world.hostile.url}${path}`;
      await writeFile(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
      const before = await snapshotProject(dir);
      const result = await vouch(['verify'], dir);
      expect(result.code, `${path}: ${result.stderr}`).toBe(1);
      const entry = reportPackage(jsonReport(result), 'left');
      expect(
        entry.findings.map((f) => [f.code, f.severity]),
        path,
      ).toEqual([['RESOLVED_MISMATCH', 'deny']]);
      expect(entry.status).toBe('invalid');
      expect(await snapshotProject(dir)).toEqual(before);
    }
  });
});

describe('signatures and attestations bound to the wrong thing', () => {
  /** left@1.0.1 served with left@1.0.0's (valid, but for other bytes) registry signatures. */
  const replayOldSignature = () =>
    world.hostile.on('/left', {
      kind: 'json',
      rewrite: (body) => {
        const doc = body as Packument;
        doc.versions['1.0.1']!.dist.signatures = doc.versions['1.0.0']!.dist.signatures;
        return doc;
      },
    });

  it('a signature valid for left@1.0.0 replayed on left@1.0.1 is SIGNATURE_INVALID', async () => {
    replayOldSignature();
    const dir = await world.project('replay');
    const before = await snapshotProject(dir);
    const result = await vouch(['install', 'left@1.0.1'], dir);
    expect(result.code, result.stderr).toBe(1);
    expect(findingCodes(jsonReport(result), 'left', '1.0.1')).toEqual(['SIGNATURE_INVALID']);
    expect(await snapshotProject(dir)).toEqual(before);
  });

  it('a forged signature is reported as SIGNATURE_INVALID (exit 1) even when the tarball then answers 404: a later fetch error never masks it', async () => {
    replayOldSignature();
    world.hostile.on((path) => path.endsWith('/left-1.0.1.tgz'), { kind: 'status', status: 404 });
    const dir = await world.project('masked');
    const before = await snapshotProject(dir);
    const result = await vouch(['install', 'left@1.0.1'], dir);
    expect(result.code, result.stderr).toBe(1);
    expect(findingCodes(jsonReport(result), 'left', '1.0.1')).toEqual(['SIGNATURE_INVALID']);
    expect(await snapshotProject(dir)).toEqual(before);
  });

  it('the attestations of @acme/widget served for @acme/other are ATTESTATION_SUBJECT', async () => {
    const widget = await world.registry.get((await attestationsPath('@acme/widget', '1.0.0')).slice(1));
    expect(widget.status).toBe(200);
    world.hostile.on(await attestationsPath('@acme/other', '1.0.0'), { kind: 'body', body: widget.bytes, type: 'application/json' });
    const dir = await world.project('swapped-attestation');
    const before = await snapshotProject(dir);
    const result = await vouch(['install', '@acme/other@1.0.0'], dir);
    expect(result.code, result.stderr).toBe(1);
    expect(findingCodes(jsonReport(result), '@acme/other')).toEqual(['ATTESTATION_SUBJECT']);
    expect(await snapshotProject(dir)).toEqual(before);
  });

  it('a publish attestation signed by the registry key retired in 2025 is ATTESTATION_KEY_EXPIRED', async () => {
    const path = await attestationsPath('@acme/widget', '1.0.0');
    const packument = (await world.registry.get('@acme%2fwidget')).json as Packument;
    const integrity = packument.versions['1.0.0']!.dist.integrity;
    const forged = await buildKeyedBundle(
      publishStatement({
        name: '@acme/widget',
        version: '1.0.0',
        registry: world.hostile.url.replace(/\/$/, ''),
        sha512Hex: Buffer.from(integrity.slice('sha512-'.length), 'base64').toString('hex'),
      }),
      keySigner(retiredPem),
    );
    world.hostile.on(path, {
      kind: 'json',
      rewrite: (body) => {
        const doc = body as { attestations: { predicateType: string; bundle: unknown }[] };
        const publish = doc.attestations.find((a) => a.predicateType === PREDICATE_PUBLISH_NPM);
        if (!publish) throw new Error('no publish attestation to replace');
        publish.bundle = forged;
        return doc;
      },
    });
    const dir = await world.project('retired-key');
    const before = await snapshotProject(dir);
    const result = await vouch(['install', '@acme/widget@1.0.0'], dir);
    expect(result.code, result.stderr).toBe(1);
    const entry = reportPackage(jsonReport(result), '@acme/widget');
    expect(entry.findings.map((f) => f.code)).toEqual(['ATTESTATION_KEY_EXPIRED']);
    expect(entry.evidence.signature?.kind).toBe('verified'); // the registry signature by the active key is fine
    expect(await snapshotProject(dir)).toEqual(before);
  });
});

describe('who built it', () => {
  it('provenance validly signed for another repository is IDENTITY_CHANGED against the identity pinned in vouch.lock', async () => {
    const dir = await copyOfInstalled();
    const before = await snapshotProject(dir);
    const result = await vouch(['install', '@acme/widget@1.0.1'], dir);
    expect(result.code, result.stderr).toBe(1);
    const entry = reportPackage(jsonReport(result), '@acme/widget', '1.0.1');
    // the bundle itself verifies: only the identity pin catches it (npm audit signatures would pass it)
    expect(entry.evidence.attestations?.kind).toBe('verified');
    expect(entry.evidence.attestations?.provenance?.identity.repository).toBe('https://github.com/evil/widget');
    expect(entry.findings.map((f) => f.code)).toEqual(['IDENTITY_CHANGED', 'QUICK_RELEASE']); // and a warning: published right after 1.0.0
    expect(await snapshotProject(dir)).toEqual(before);
  });

  it('and IDENTITY_MISMATCH against a policy rule, on a first install with nothing pinned yet', async () => {
    const dir = await world.project('identity-rule');
    await writeFile(
      join(dir, 'vouch.policy.json'),
      `${JSON.stringify(
        {
          rules: [
            { packages: '@acme/widget', identity: { issuer: 'https://token.actions.githubusercontent.com', repository: 'https://github.com/acme/widget' } },
          ],
        },
        null,
        2,
      )}\n`,
    );
    const before = await snapshotProject(dir);
    const result = await vouch(['install', '@acme/widget@1.0.1'], dir);
    expect(result.code, result.stderr).toBe(1);
    expect(findingCodes(jsonReport(result), '@acme/widget', '1.0.1')).toEqual(['IDENTITY_MISMATCH']);
    expect(await snapshotProject(dir)).toEqual(before);
  });
});

describe('a stolen registry key (what still holds, and what does not)', () => {
  type Doc = { versions: Record<string, Record<string, unknown>>; time?: Record<string, string> };

  /**
   * Injects `name@version` into the packument as a thief with the active registry key would: validly signed,
   * no attestations, and dated a month back — the packument time is unsigned, so whoever serves the
   * document dates the version as he likes, and the default minReleaseAge does not hold against him.
   */
  async function injectVersion(name: string, version: string): Promise<void> {
    const tarball = await packTarball(await writePackage(join(world.work, `stolen-${++n}`), { name, version, files: { 'payload.js': 'steal()' } }));
    const integrity = sri(tarball);
    const unscoped = name.replace(/^@[^/]+\//, '');
    const tarballPath = `/${name}/-/${unscoped}-${version}.tgz`;
    const sig = (await keySigner(activePem).sign(Buffer.from(`${name}@${version}:${integrity}`))).toString('base64');
    world.hostile.on(`/${name.replace('/', '%2f')}`, {
      kind: 'json',
      rewrite: (body) => {
        const doc = body as Doc;
        doc.versions[version] = {
          name,
          version,
          dist: { integrity, tarball: `${world.hostile.url}${tarballPath.slice(1)}`, signatures: [{ keyid: world.registry.keyid, sig }] },
        };
        if (doc.time) doc.time[version] = new Date(Date.now() - 30 * 86_400_000).toISOString();
        return doc;
      },
    });
    world.hostile.on(tarballPath, { kind: 'body', body: tarball, type: 'application/octet-stream' });
  }

  it("a vouch registry keeps a signing log: the thief's signature is in no entry of it, SIGNATURE_NOT_LOGGED, exit 1", async () => {
    await injectVersion('left', '1.0.2');
    const dir = await copyOfInstalled();
    const before = await snapshotProject(dir);
    const result = await vouch(['install', 'left@1.0.2'], dir);
    expect(result.code, result.stderr).toBe(1);
    const entry = reportPackage(jsonReport(result), 'left', '1.0.2');
    expect(entry.findings.map((f) => f.code)).toEqual(['SIGNATURE_NOT_LOGGED', 'QUICK_RELEASE']);
    expect(await snapshotProject(dir)).toEqual(before);
  });

  describe('where the registry keeps no signing log', () => {
    it('a package that had provenance: the re-signed version without it is PROVENANCE_DOWNGRADE against vouch.lock', async () => {
      await injectVersion('@acme/widget', '1.0.2');
      const dir = await copyOfInstalled();
      await withoutSigningLog(world, dir);
      const before = await snapshotProject(dir);
      const result = await vouch(['install', '@acme/widget@1.0.2'], dir);
      expect(result.code, result.stderr).toBe(1);
      const entry = reportPackage(jsonReport(result), '@acme/widget', '1.0.2');
      expect(entry.evidence.signature?.kind).toBe('verified'); // the stolen key's signature is valid
      expect(entry.findings.map((f) => f.code)).toEqual(['PROVENANCE_DOWNGRADE', 'QUICK_RELEASE']);
      expect(await snapshotProject(dir)).toEqual(before);
    });

    it('a package that never had provenance, and no policy requiring it: the forgery installs (docs/threat-model.md: out of reach)', async () => {
      await injectVersion('left', '1.0.2');
      const dir = await copyOfInstalled();
      await withoutSigningLog(world, dir);
      const result = await vouch(['install', 'left@1.0.2'], dir);
      expect(result.code, result.stdout).toBe(0);
      expect(reportPackage(jsonReport(result), 'left', '1.0.2').status).toBe('verified');
      // …which a policy closes for the packages it names: provenance required
      const guarded = await copyOfInstalled();
      await withoutSigningLog(world, guarded);
      await writeFile(join(guarded, 'vouch.policy.json'), `${JSON.stringify({ rules: [{ packages: 'left', provenance: 'require' }] }, null, 2)}\n`);
      const denied = await vouch(['install', 'left@1.0.2'], guarded);
      expect(denied.code, denied.stderr).toBe(1);
      expect(findingCodes(jsonReport(denied), 'left', '1.0.2')).toEqual(['PROVENANCE_MISSING', 'QUICK_RELEASE']);
    });
  });
});

describe('npm aliases', () => {
  const signature = async (message: string) => (await keySigner(activePem).sign(Buffer.from(message))).toString('base64');

  it('"x": "npm:evil@1.0.0" is verified as evil@1.0.0, with x as its folder name', async () => {
    const dir = await world.project('alias');
    const result = await vouch(['install', 'x@npm:evil@1.0.0'], dir);
    expect(result.code, result.stderr).toBe(0);
    const entry = reportPackage(jsonReport(result), 'evil', '1.0.0');
    expect(entry.aliases).toEqual(['x']);
    expect(entry.evidence.signature?.kind).toBe('verified');
    expect(((await readJson(join(dir, 'package.json'))) as { dependencies: Record<string, string> }).dependencies).toEqual({ x: 'npm:evil@^1.0.0' });
  });

  it('a registry signature made over "x@1.0.0:…" (the alias) instead of "evil@1.0.0:…" is SIGNATURE_INVALID', async () => {
    const packument = (await world.registry.get('evil')).json as Packument;
    const dist = packument.versions['1.0.0']!.dist;
    // control: our signer reproduces the registry's deterministic signature for the real name …
    expect(await signature(`evil@1.0.0:${dist.integrity}`)).toBe(dist.signatures[0]?.sig);
    // … so the only difference below is the name that was signed
    const overAlias = await signature(`x@1.0.0:${dist.integrity}`);
    world.hostile.on('/evil', {
      kind: 'json',
      rewrite: (body) => {
        const doc = body as Packument;
        doc.versions['1.0.0']!.dist.signatures = [{ keyid: world.registry.keyid, sig: overAlias }];
        return doc;
      },
    });
    const dir = await world.project('alias-forged');
    const before = await snapshotProject(dir);
    const result = await vouch(['install', 'x@npm:evil@1.0.0'], dir);
    expect(result.code, result.stderr).toBe(1);
    expect(findingCodes(jsonReport(result), 'evil')).toEqual(['SIGNATURE_INVALID']);
    expect(await snapshotProject(dir)).toEqual(before);
  });
});
