// `vouch policy init` writes a starter policy and the first vouch.lock from a real tree, and `vouch explain`
// tells, in words, what the evidence was and which rule decided.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateSigstore } from '../../fixtures/scripts/private-sigstore.js';
import { parsePolicy } from '../../lib/policy/index.js';
import { parseLock } from '../../lib/lock/index.js';
import { snapshotProject } from '../support/project.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { buildTree, type BuiltTree } from '../support/tree.js';
import { runVouch } from '../support/vouch.js';

let registry: TestRegistry;
let tree: BuiltTree;
let env: NodeJS.ProcessEnv;
let trustedRoot: string;

beforeAll(async () => {
  registry = await startRegistry();
  const sigstore = await createPrivateSigstore();
  trustedRoot = join(await registry.tempDir('root'), 'private-root.json');
  await writeFile(trustedRoot, sigstore.trustedRootJSON);
  tree = await buildTree(registry, { packages: 8, provenance: 3, prefix: 'init' }, { sigstore });
  env = await registry.npmEnv(tree.npmStateDir);
});

afterAll(() => registry?.stop());

const vouch = (args: string[]) => runVouch([...args, '--trusted-root', trustedRoot], { cwd: tree.project, env });

describe('vouch policy init', () => {
  it('writes a policy vouch reads back and a lock that pins the provenance identities', async () => {
    const result = await vouch(['policy', 'init']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('3 with verified provenance');
    expect(result.stdout).toContain('vouch.lock records 8 of 8 packages');
    const policyText = await readFile(join(tree.project, 'vouch.policy.json'), 'utf8');
    const policy = parsePolicy(policyText, 'vouch.policy.json');
    expect(policy.source).not.toBe('default');
    expect(JSON.parse(policyText)).toMatchObject({ defaults: { signatures: 'require', provenance: 'no-downgrade', minReleaseAge: 1 } });
    const lock = parseLock(await readFile(join(tree.project, 'vouch.lock'), 'utf8'), 'vouch.lock');
    const provenanced = tree.plan.packages.filter((p) => p.provenance);
    expect(provenanced).toHaveLength(3);
    for (const p of provenanced) expect(lock.packages[p.name]?.identity?.repository).toBe(`https://github.com/${p.provenance!.repository}`);
    expect(Object.values(lock.packages).flatMap((p) => Object.keys(p.versions))).toHaveLength(8);
  });

  it('refuses to replace an existing policy without --force, writing nothing', async () => {
    const before = await snapshotProject(tree.project);
    const result = await vouch(['policy', 'init']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('vouch.policy.json already exists');
    expect(await snapshotProject(tree.project)).toEqual(before);
  });

  it('leaves a project that `vouch verify --locked` allows', async () => {
    const result = await vouch(['verify', '--locked']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });
});

describe('vouch explain', () => {
  it('names the provenance identity, the registry key and the lock pin of an allowed package', async () => {
    const p = tree.plan.packages.find((x) => x.provenance)!;
    const result = await vouch(['explain', `${p.name}@${p.version}`]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${p.name}@${p.version}: ALLOW (verified)`);
    expect(result.stdout).toContain(`repository: https://github.com/${p.provenance!.repository}`);
    expect(result.stdout).toContain(`registry signature: verified with key ${registry.keyid}`);
    expect(result.stdout).toContain('vouch.lock: identity pinned');
  });

  it('exits 1 and shows the rule and fix for a denied package', async () => {
    const p = tree.plan.packages.find((x) => !x.provenance)!;
    const policyFile = join(tree.project, 'vouch.policy.json');
    const policy = JSON.parse(await readFile(policyFile, 'utf8')) as Record<string, unknown>;
    await writeFile(policyFile, JSON.stringify({ ...policy, rules: [{ packages: p.name, provenance: 'require' }] }, null, 2));
    const result = await vouch(['explain', p.name]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('DENY PROVENANCE_MISSING');
    expect(result.stdout).toContain('rule: rules[0].provenance');
    expect(result.stdout).toMatch(/fix: \S/);
  });

  it('exits 2 for a package that is not in the lockfile', async () => {
    const result = await vouch(['explain', 'no-such-package']);
    expect(result.code).toBe(2);
  });
});
