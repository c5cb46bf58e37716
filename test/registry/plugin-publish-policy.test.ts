// The registry's publish policy (`vouch registry --publish-policy FILE`) with the real npm and the real
// registry: publishes without the required provenance, with provenance from another repository, over
// another tarball or from an untrusted CA, without the required publisher key, and re-publishes after an
// unpublish are refused with 403 before anything is stored, signed or logged; allowed publishes still work.
// Provenance comes from a private Sigstore deployment (its trusted root is in the policy): real
// `npm publish --provenance` needs public-good Fulcio, so those bodies are PUT as npm builds them
// (test/support/provenance.ts), and `vouch publish --keyless` sends one through the private Fulcio.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateSigstore, type PrivateSigstore } from '../../fixtures/scripts/private-sigstore.js';
import { keygen, maintainerEnv, vouchPublish, withoutCi, type MaintainerKey } from '../support/maintainer.js';
import { publishBody, sigstoreAttachment, writePackage } from '../support/packages.js';
import { startSigstoreServers, type SigstoreServers } from '../support/private-sigstore-servers.js';
import { githubIdentity, publishWithProvenance } from '../support/provenance.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { recordsFile } from '../support/registry-storage.js';
import { runVouch } from '../support/vouch.js';
import { packTarball } from '../support/npm.js';

let sigstore: PrivateSigstore;
let servers: SigstoreServers;
let registry: TestRegistry;
let work: string;
let pinned: MaintainerKey;

const widget = githubIdentity('acme/widget');

beforeAll(async () => {
  sigstore = await createPrivateSigstore();
  servers = await startSigstoreServers(sigstore);
  work = await mkdtemp(join(tmpdir(), 'vouch-publish-policy-'));
  const keygenRun = await runVouch(['keygen', '--out', join(work, 'pinned-key'), '--type', 'p256', '--json'], { cwd: work, env: withoutCi(process.env) });
  expect(keygenRun.code, keygenRun.stderr).toBe(0);
  pinned = keygenRun.json as MaintainerKey;
  await writeFile(join(work, 'private-root.json'), sigstore.trustedRootJSON);
  await writeFile(
    join(work, 'publish-policy.json'),
    JSON.stringify(
      {
        trustedRoots: ['public-good', './private-root.json'],
        packages: {
          '@acme/*': {
            provenance: 'required',
            repositories: ['https://github.com/acme/widget'],
            workflows: ['.github/workflows/release.yml'],
            issuers: ['https://token.actions.githubusercontent.com'],
            republish: 'never',
          },
          '@keyed/*': { publisherKey: 'required' },
          '@pinned/*': { publisherKey: [pinned.keyid] },
          '@once/*': { republish: 'never' },
        },
      },
      null,
      2,
    ),
  );
  registry = await startRegistry({ args: ['--publish-policy', join(work, 'publish-policy.json')] });
});

afterAll(async () => {
  await registry?.stop();
  await servers?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Everything in the storage folder (paths and content digests), htpasswd and Verdaccio's db aside. */
async function storageSnapshot(): Promise<Record<string, string>> {
  const entries = await readdir(registry.storage, { recursive: true, withFileTypes: true });
  const files: Record<string, string> = {};
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = relative(registry.storage, join(entry.parentPath, entry.name));
    if (path === 'htpasswd' || path === '.verdaccio-db.json') continue;
    files[path] = createHash('sha256')
      .update(await readFile(join(entry.parentPath, entry.name)))
      .digest('hex');
  }
  return files;
}

/** A refused publish leaves storage (packages, records, attestations, the signing log) exactly as it was. */
async function expectNothingStored(name: string, before: Record<string, string>): Promise<void> {
  expect(await storageSnapshot()).toEqual(before);
  expect(existsSync(recordsFile(registry.storage, name))).toBe(false);
  expect((await registry.get(encodeURIComponent(name))).status).toBe(404);
}

async function npmPublish(dir: string) {
  return registry.npm(['publish', '--access', 'public'], { cwd: dir, stateDir: await registry.tempDir('npm'), retries: 'npm-default' });
}

describe('publish policy: provenance', () => {
  it('refuses `npm publish` without provenance with a 403 npm prints, naming the rule and the package; nothing is stored, signed or logged', async () => {
    const dir = await writePackage(await registry.tempDir('pkg'), { name: '@acme/widget', version: '1.0.0' });
    const before = await storageSnapshot();
    const result = await npmPublish(dir);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `npm error 403 403 Forbidden - PUT ${registry.url}@acme%2fwidget - vouch: publish policy packages["@acme/*"].provenance refuses this publish: @acme/widget@1.0.0 was published without provenance`,
    );
    await expectNothingStored('@acme/widget', before);
  });

  it('refuses provenance that names another repository, a bundle over another tarball and one from a CA the policy does not trust', async () => {
    const dir = await writePackage(await registry.tempDir('pkg'), { name: '@acme/widget', version: '1.0.1' });
    const tarball = await packTarball(dir);
    const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
    const before = await storageSnapshot();
    const put = async (bundle: unknown) =>
      registry.put(
        '@acme%2fwidget',
        publishBody({
          name: '@acme/widget',
          version: '1.0.1',
          tarball,
          registry: registry.url,
          attachments: { '@acme/widget-1.0.1.sigstore': sigstoreAttachment(JSON.stringify(bundle)) },
        }),
      );

    const otherRepo = await put(await sigstore.mintProvenance({ name: '@acme/widget', version: '1.0.1', integrity, identity: githubIdentity('evil/widget') }));
    expect(otherRepo.status).toBe(403);
    expect(otherRepo.json).toEqual({
      error:
        'vouch: publish policy packages["@acme/*"].repositories refuses this publish: the provenance certificate of @acme/widget@1.0.1 names repository "https://github.com/evil/widget", not "https://github.com/acme/widget"',
    });

    const otherWorkflow = await put(
      await sigstore.mintProvenance({
        name: '@acme/widget',
        version: '1.0.1',
        integrity,
        identity: { ...widget, workflowPath: '.github/workflows/debug.yml' },
      }),
    );
    expect(otherWorkflow.status).toBe(403);
    expect(otherWorkflow.text).toContain(
      'packages[\\"@acme/*\\"].workflows refuses this publish: the provenance certificate of @acme/widget@1.0.1 names workflow \\".github/workflows/debug.yml\\"',
    );

    // The predicate may say anything: identity comes from the certificate.
    const lyingPredicate = await put(
      await sigstore.mintProvenance({ name: '@acme/widget', version: '1.0.1', integrity, identity: githubIdentity('evil/widget'), predicateIdentity: widget }),
    );
    expect(lyingPredicate.status).toBe(403);
    expect(lyingPredicate.text).toContain('names repository \\"https://github.com/evil/widget\\"');

    const otherTarball = await put(
      await sigstore.mintProvenance({
        name: '@acme/widget',
        version: '1.0.1',
        integrity: `sha512-${createHash('sha512').update('other bytes').digest('base64')}`,
        identity: widget,
      }),
    );
    expect(otherTarball.status).toBe(403);
    expect(otherTarball.text).toContain('the provenance of @acme/widget@1.0.1 does not verify (ATTESTATION_SUBJECT)');

    const untrusted = await createPrivateSigstore();
    const foreign = await put(await untrusted.mintProvenance({ name: '@acme/widget', version: '1.0.1', integrity, identity: widget }));
    expect(foreign.status).toBe(403);
    expect(foreign.text).toContain('the provenance of @acme/widget@1.0.1 does not verify (ATTESTATION_INVALID)');

    await expectNothingStored('@acme/widget', before);
  });

  it('`vouch publish --keyless` through the private Fulcio from another repository is refused, and vouch says why (exit 1)', async () => {
    const dir = await writePackage(await registry.tempDir('pkg'), { name: '@acme/widget', version: '1.0.2' });
    const env = {
      ...withoutCi(await registry.npmEnv(await registry.tempDir('keyless'), { retries: 'npm-default' })),
      ...servers.githubEnv(githubIdentity('evil/widget')),
    };
    const before = await storageSnapshot();
    const result = await runVouch(['publish', '--keyless', '--fulcio-url', servers.fulcioUrl, '--rekor-url', servers.rekorUrl, '--', '--access', 'public'], {
      cwd: dir,
      env,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PUBLISH_DENIED');
    expect(result.stderr).toContain('(HTTP 403): vouch: publish policy packages["@acme/*"].repositories refuses this publish');
    await expectNothingStored('@acme/widget', before);
  });

  it('accepts provenance from the named repository and workflow: signed, stored and served with its bundle', async () => {
    const dir = await writePackage(await registry.tempDir('pkg'), { name: '@acme/widget', version: '2.0.0' });
    const { integrity } = await publishWithProvenance(registry, dir, sigstore, widget);
    const packument = (await registry.get('@acme%2fwidget')).json as {
      versions: Record<string, { dist: { integrity: string; signatures?: unknown[]; attestations?: unknown } }>;
    };
    const dist = packument.versions['2.0.0']?.dist;
    expect(dist?.integrity).toBe(integrity);
    expect(dist?.signatures).toHaveLength(1);
    expect(dist?.attestations).toBeDefined();
  });
});

describe('publish policy: republish', () => {
  it('without the rule: npm refuses an existing version itself, Verdaccio answers 409, but both take it again after an unpublish', async () => {
    const dir = await writePackage(await registry.tempDir('pkg'), { name: 'plain-pkg', version: '1.0.0' });
    expect((await npmPublish(dir)).code).toBe(0);
    const again = await npmPublish(dir);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('npm error You cannot publish over the previously published versions: 1.0.0.');
    const before = await storageSnapshot();
    const raw = await registry.put('plain-pkg', publishBody({ name: 'plain-pkg', version: '1.0.0', tarball: await packTarball(dir), registry: registry.url }));
    expect([raw.status, raw.json]).toEqual([409, { error: 'this package is already present' }]);
    expect(await storageSnapshot()).toEqual(before);
    const unpublish = await registry.npm(['unpublish', 'plain-pkg@1.0.0', '--force'], { cwd: dir });
    expect(unpublish.code, unpublish.stderr).toBe(0);
    expect((await npmPublish(dir)).code).toBe(0);
  });

  it("without the rule: a version that is still there, sent again with provenance, is Verdaccio's 409 with nothing logged or stored", async () => {
    const dir = await writePackage(await registry.tempDir('pkg'), { name: 'plain-prov', version: '1.0.0' });
    await publishWithProvenance(registry, dir, sigstore, widget);
    const before = await storageSnapshot();
    await expect(publishWithProvenance(registry, dir, sigstore, widget)).rejects.toThrow(/409[\s\S]*this package is already present/);
    expect(await storageSnapshot()).toEqual(before); // the signing log holds no attestation for the refused bytes
  });

  it('with republish "never" a version is refused after an unpublish, by npm\'s 403 naming the rule; storage keeps the record', async () => {
    const dir = await writePackage(await registry.tempDir('pkg'), { name: '@once/pkg', version: '1.0.0' });
    expect((await npmPublish(dir)).code).toBe(0);
    const unpublish = await registry.npm(['unpublish', '@once/pkg@1.0.0', '--force'], { cwd: dir });
    expect(unpublish.code, unpublish.stderr).toBe(0);
    const before = await storageSnapshot();
    const result = await npmPublish(dir);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('npm error 403 403 Forbidden - PUT');
    expect(result.stderr).toContain('vouch: publish policy packages["@once/*"].republish refuses this publish: @once/pkg@1.0.0 was published before');
    expect(await storageSnapshot()).toEqual(before);
    expect((await registry.get('@once%2fpkg')).status).toBe(404);
  });

  it("refuses a version that is still there with the rule's 403 before Verdaccio's 409, even with valid provenance", async () => {
    const dir = await writePackage(await registry.tempDir('pkg'), { name: '@acme/widget', version: '3.0.0' });
    await publishWithProvenance(registry, dir, sigstore, widget);
    const before = await storageSnapshot();
    await expect(publishWithProvenance(registry, dir, sigstore, widget)).rejects.toThrow(
      /403 .*packages\[\\"@acme\/\*\\"\]\.republish refuses this publish: @acme\/widget@3\.0\.0 was published before/,
    );
    expect(await storageSnapshot()).toEqual(before);
  });
});

describe('publish policy: publisher key', () => {
  it('refuses `npm publish` without a publisher attestation, and accepts `vouch publish --key`', async () => {
    const dir = await writePackage(await registry.tempDir('pkg'), { name: '@keyed/lib', version: '1.0.0' });
    const before = await storageSnapshot();
    const result = await npmPublish(dir);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      '- vouch: publish policy packages["@keyed/*"].publisherKey refuses this publish: @keyed/lib@1.0.0 was published without a publisher attestation',
    );
    await expectNothingStored('@keyed/lib', before);

    const env = await maintainerEnv(registry);
    const key = await keygen(registry, env, 'keyed');
    await vouchPublish(registry, env, dir, key.privateKeyFile);
    const packument = (await registry.get('@keyed%2flib')).json as { versions: Record<string, { dist: { signatures?: unknown[] } }> };
    expect(packument.versions['1.0.0']?.dist.signatures).toHaveLength(1);
  });

  it('refuses provenance where a publisher key is required', async () => {
    const dir = await writePackage(await registry.tempDir('pkg'), { name: '@keyed/lib', version: '1.1.0' });
    await expect(publishWithProvenance(registry, dir, sigstore, widget)).rejects.toThrow(
      /403 .*publisherKey refuses this publish: @keyed\/lib@1\.1\.0 carries provenance signed by a Fulcio certificate, not a publisher attestation/,
    );
  });

  it('refuses a key other than the pinned one, naming both; accepts the pinned key', async () => {
    const env = await maintainerEnv(registry);
    const other = await keygen(registry, env, 'other');
    const dir = await writePackage(await registry.tempDir('pkg'), { name: '@pinned/lib', version: '1.0.0' });
    const before = await storageSnapshot();
    const refused = await runVouch(['publish', '--key', other.privateKeyFile, '--', '--access', 'public'], { cwd: dir, env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `(HTTP 403): vouch: publish policy packages["@pinned/*"].publisherKey refuses this publish: @pinned/lib@1.0.0 is signed by publisher key ${other.keyid}, not ${pinned.keyid}`,
    );
    await expectNothingStored('@pinned/lib', before);
    await vouchPublish(registry, env, dir, pinned.privateKeyFile);
  });
});

describe('publish policy: configuration', () => {
  it('a bad policy stops `vouch registry` (exit 2) naming the file, every bad path and what was expected', async () => {
    const file = join(work, 'bad-policy.json');
    await writeFile(
      file,
      JSON.stringify({
        trustedRoots: ['./missing-root.json'],
        packages: {
          '@acme/*': { provenance: 'yes', repositories: 'https://github.com/acme/widget' },
          '!neg': { republish: 'sometimes', publisherKey: ['not-a-keyid'] },
        },
      }),
    );
    const result = await runVouch(['registry', '--port', '0', '--storage', join(work, 'bad-storage'), '--publish-policy', file], {
      cwd: work,
      env: withoutCi(process.env),
      timeoutMs: 30_000,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(file);
    for (const expected of [
      'packages["@acme/*"].provenance: expected "required", got "yes"',
      'packages["@acme/*"].repositories: expected a list: ["https://github.com/acme/widget"]',
      'packages["!neg"]: negated globs are not supported',
      'packages["!neg"].publisherKey[0]: expected a key id',
      'packages["!neg"].republish: expected "never", got "sometimes"',
    ])
      expect(result.stderr).toContain(expected);

    await writeFile(file, JSON.stringify({ trustedRoots: ['./missing-root.json'], packages: { '@acme/*': { republish: 'never' } } }));
    const missingRoot = await runVouch(['registry', '--port', '0', '--storage', join(work, 'bad-storage'), '--publish-policy', file], {
      cwd: work,
      env: withoutCi(process.env),
      timeoutMs: 30_000,
    });
    expect(missingRoot.code).toBe(2);
    expect(missingRoot.stderr).toContain('missing-root.json');
  });
});
