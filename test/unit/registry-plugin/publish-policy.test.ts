import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VouchError } from '../../../lib/errors/index.js';
import { judgePublish, type GateContext } from '../../../packages/vouch-registry/lib/publish-gate.js';
import { checkPublishPolicy, readPublishPolicyFile, type PublishPolicy } from '../../../packages/vouch-registry/lib/publish-policy.js';
import { readSettings } from '../../../packages/vouch-registry/lib/settings.js';
import type { VersionRecord } from '../../../packages/vouch-registry/lib/records.js';
import { trustRootSet } from '../../../lib/verify/index.js';
import { codeOf, tempDir } from './helpers.js';

const at = { source: 'policy.json', base: '/srv/verdaccio', file: '/srv/verdaccio/policy.json' };
const KEYID = `SHA256:${'A'.repeat(43)}`;

function problemsOf(raw: unknown): string {
  try {
    checkPublishPolicy(raw, at);
  } catch (err) {
    if (err instanceof VouchError) return `${err.code} ${err.where.path ?? ''} ${err.message}`;
    throw err;
  }
  return 'valid';
}

describe('checkPublishPolicy', () => {
  it("reads rules per glob, resolves relative trusted roots against the policy's folder, defaults to public-good", () => {
    const policy = checkPublishPolicy(
      {
        trustedRoots: ['public-good', 'roots/private.json'],
        packages: {
          '@acme/*': {
            provenance: 'required',
            repositories: ['https://github.com/acme/widget'],
            workflows: ['.github/workflows/release.yml'],
            republish: 'never',
          },
          'internal-*': { publisherKey: [KEYID] },
        },
      },
      at,
    );
    expect(policy.trustedRoots).toEqual(['public-good', '/srv/verdaccio/roots/private.json']);
    expect(policy.rules.map((r) => r.glob)).toEqual(['@acme/*', 'internal-*']);
    expect(checkPublishPolicy({ packages: { '**': { republish: 'never' } } }, at).trustedRoots).toEqual(['public-good']);
  });

  it('reports every problem at once, each with its JSON path, and the first path as the location', () => {
    const text = problemsOf({
      trustedRoot: [],
      packages: {
        '@acme/*': { provenance: true, workflows: ['/.github/workflows/x.yml@main'], issuers: ['https://token.actions.githubusercontent.com/'] },
        b: { publisherKey: 'yes', provenance: 'required', repositories: [] },
        c: { publisherKey: 'required', provenance: 'required', republish: 'always', extra: 1 },
      },
    });
    expect(text).toMatch(/^CONFIG trustedRoot /);
    for (const expected of [
      'trustedRoot: unknown field',
      'packages["@acme/*"].provenance: expected "required", got true',
      'packages["@acme/*"].workflows[0]: expected the workflow file\'s path',
      'packages["@acme/*"].issuers[0]: no trailing "/"',
      'packages["@acme/*"].provenance: repositories, workflows and issuers are read from the provenance certificate',
      'packages["b"].repositories: expected a non-empty list',
      'packages["b"].publisherKey: expected "required" or a list of key ids, got "yes"',
      'packages["c"]: provenance and publisherKey cannot both be required',
      'packages["c"].republish: expected "never", got "always"',
      'packages["c"].extra: unknown field',
    ])
      expect(text).toContain(expected);
  });

  it('refuses a policy with no packages, a bad glob or a non-object', () => {
    expect(problemsOf({})).toContain('packages: expected an object of package globs');
    expect(problemsOf({ packages: { '(a|b)': { republish: 'never' } } })).toContain('packages["(a|b)"]: expected a package name glob');
    expect(problemsOf([])).toContain('(top): expected an object');
  });

  it('reads a policy file, and a file that is missing or not JSON is a CONFIG error naming it', () => {
    const dir = tempDir();
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify({ trustedRoots: ['root.json'], packages: { '**': { republish: 'never' } } }));
    expect(readPublishPolicyFile(file).trustedRoots).toEqual([join(dir, 'root.json')]);
    writeFileSync(file, '{ not json');
    expect(codeOf(() => readPublishPolicyFile(file))).toBe('CONFIG');
    expect(codeOf(() => readPublishPolicyFile(join(dir, 'missing.json')))).toBe('CONFIG');
  });

  it('is read from the plugin settings as a file path (relative to config.yaml) or inline', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'policy.json'), JSON.stringify({ packages: { '@acme/*': { republish: 'never' } } }));
    const verdaccio = { storage: './storage', configPath: join(dir, 'config.yaml') };
    expect(readSettings({ signing_keys: ['a.pem'], publish_policy: 'policy.json' }, verdaccio).publishPolicy?.source).toBe(join(dir, 'policy.json'));
    const inline = readSettings(
      {},
      { ...verdaccio, middlewares: { vouch: { signing_keys: ['a.pem'], publish_policy: { packages: { x: { republish: 'never' } } } } } },
    );
    expect(inline.publishPolicy?.rules[0]?.glob).toBe('x');
    expect(readSettings({ signing_keys: ['a.pem'] }, verdaccio).publishPolicy).toBeUndefined();
    expect(codeOf(() => readSettings({ signing_keys: ['a.pem'], publish_policy: { packages: { x: { republish: 'sometimes' } } } }, verdaccio))).toBe('CONFIG');
  });
});

describe('judgePublish', () => {
  const policy: PublishPolicy = checkPublishPolicy(
    {
      packages: { '@acme/*': { republish: 'never' }, '@prov/*': { provenance: 'required' } },
    },
    at,
  );
  const record: VersionRecord = { integrity: 'sha512-x', keyid: 'SHA256:k', sig: 's', source: 'publish' };
  const ctx = (records: Record<string, VersionRecord>): GateContext => ({ roots: trustRootSet([]), records: async () => records, now: new Date() });
  const publish = (name: string, version: string) => ({ name, version, integrity: 'sha512-x', bundle: undefined });

  it('allows packages no rule matches, and new versions under republish "never"', async () => {
    expect(await judgePublish(policy, publish('other', '1.0.0'), ctx({ '1.0.0': record }))).toEqual({ kind: 'allow' });
    expect(await judgePublish(policy, publish('@acme/a', '1.0.1'), ctx({ '1.0.0': record }))).toEqual({ kind: 'allow' });
  });

  it('refuses a version the registry signed before under republish "never", naming the rule and the package', async () => {
    const decision = await judgePublish(policy, publish('@acme/a', '1.0.0'), ctx({ '1.0.0': record }));
    expect(decision).toEqual({
      kind: 'refuse',
      status: 403,
      message: expect.stringMatching(/^publish policy packages\["@acme\/\*"\]\.republish refuses this publish: @acme\/a@1\.0\.0 was published before/),
    });
  });

  it('refuses a publish without a bundle where provenance is required', async () => {
    const decision = await judgePublish(policy, publish('@prov/a', '1.0.0'), ctx({}));
    expect(decision.kind === 'refuse' ? decision.message : '').toContain(
      'packages["@prov/*"].provenance refuses this publish: @prov/a@1.0.0 was published without provenance',
    );
  });
});
