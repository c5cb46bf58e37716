import { describe, expect, it } from 'vitest';
import { buildStatement, detectCi, packagePurl, provenancePredicate, GITHUB_BUILD_TYPE, GITLAB_BUILD_TYPE } from '../../../lib/sign/index.js';
import { npmPurl, PREDICATE_PUBLISHER, PREDICATE_SLSA_V1, PUBLISHER_KEY_BYPRODUCT } from '../../../lib/verify/index.js';

const SHA = 'ab'.repeat(64);
const KEY = { keyid: 'SHA256:abc', publicKey: 'MCowBQYDK2VwAyEA' };

// The variables GitHub Actions sets for a tag build of acme/widget (values as in the real playwright run).
const GITHUB = {
  GITHUB_ACTIONS: 'true',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'acme/widget',
  GITHUB_REPOSITORY_ID: '273562379',
  GITHUB_REPOSITORY_OWNER_ID: '6154722',
  GITHUB_WORKFLOW_REF: 'acme/widget/.github/workflows/publish.yml@refs/tags/v0.1.1',
  GITHUB_REF: 'refs/tags/v0.1.1',
  GITHUB_SHA: 'd1c6d1110000000000000000000000000000000a',
  GITHUB_EVENT_NAME: 'release',
  GITHUB_RUN_ID: '22026075834',
  GITHUB_RUN_ATTEMPT: '1',
  RUNNER_ENVIRONMENT: 'github-hosted',
};

describe('packagePurl', () => {
  it('matches the purl lib/verify expects, scoped and unscoped, with prerelease and build', () => {
    for (const [name, version] of [
      ['@acme/widget', '1.2.3'],
      ['left-pad', '1.3.0'],
      ['@a/b', '1.0.0-beta.1+build.5'],
    ] as const) {
      expect(packagePurl(name, version)).toBe(npmPurl(name, version));
    }
    expect(packagePurl('@acme/widget', '1.2.3')).toBe('pkg:npm/%40acme/widget@1.2.3');
  });
});

describe('detectCi', () => {
  it('recognises GitHub Actions and GitLab CI by their variables, and nothing else', () => {
    expect(detectCi({ GITHUB_ACTIONS: 'true' })).toBe('github-actions');
    expect(detectCi({ GITLAB_CI: 'true' })).toBe('gitlab-ci');
    expect(detectCi({ CI: 'true' })).toBeUndefined();
    expect(detectCi({ GITHUB_ACTIONS: 'false' })).toBeUndefined();
  });
});

describe('buildStatement', () => {
  it('outside CI names the publisher key in a publisher predicate over the purl and sha512', () => {
    const s = buildStatement({
      name: '@acme/widget',
      version: '1.2.3',
      sha512Hex: SHA,
      ci: undefined,
      env: {},
      publisherKey: KEY,
      registry: 'https://r.example/',
    });
    expect(s).toEqual({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'pkg:npm/%40acme/widget@1.2.3', digest: { sha512: SHA } }],
      predicateType: PREDICATE_PUBLISHER,
      predicate: { name: '@acme/widget', version: '1.2.3', publisherKey: KEY, registry: 'https://r.example/' },
    });
  });

  it('names the registry without the password of a publishConfig.registry URL (the statement is public)', () => {
    const s = buildStatement({
      name: 'w',
      version: '1.0.0',
      sha512Hex: SHA,
      ci: undefined,
      env: {},
      publisherKey: KEY,
      registry: 'https://ci:pa55@r.example/',
    });
    expect(s.predicate).toMatchObject({ registry: 'https://r.example/' });
    expect(JSON.stringify(s)).not.toContain('pa55');
  });

  it("in GitHub Actions writes npm's SLSA v1 predicate, plus the publisher key byproduct when key-signed", () => {
    const s = buildStatement({ name: 'w', version: '1.0.0', sha512Hex: SHA, ci: 'github-actions', env: GITHUB, publisherKey: KEY });
    expect(s.predicateType).toBe(PREDICATE_SLSA_V1);
    expect(s.predicate).toEqual({
      buildDefinition: {
        buildType: GITHUB_BUILD_TYPE,
        externalParameters: { workflow: { ref: 'refs/tags/v0.1.1', repository: 'https://github.com/acme/widget', path: '.github/workflows/publish.yml' } },
        internalParameters: { github: { event_name: 'release', repository_id: '273562379', repository_owner_id: '6154722' } },
        resolvedDependencies: [{ uri: 'git+https://github.com/acme/widget@refs/tags/v0.1.1', digest: { gitCommit: GITHUB.GITHUB_SHA } }],
      },
      runDetails: {
        builder: { id: 'https://github.com/actions/runner/github-hosted' },
        metadata: { invocationId: 'https://github.com/acme/widget/actions/runs/22026075834/attempts/1' },
        byproducts: [{ name: PUBLISHER_KEY_BYPRODUCT, content: KEY.publicKey, mediaType: 'application/pkix-spki' }],
      },
    });
  });

  it('keyless in CI carries no key byproduct (the certificate names the signer)', () => {
    const s = buildStatement({ name: 'w', version: '1.0.0', sha512Hex: SHA, ci: 'github-actions', env: GITHUB, publisherKey: undefined });
    expect((s.predicate as { runDetails: Record<string, unknown> }).runDetails).not.toHaveProperty('byproducts');
  });

  it('maps GitLab CI variables the way npm records them, as SLSA v1', () => {
    const env = {
      GITLAB_CI: 'true',
      CI: 'true',
      CI_PROJECT_URL: 'https://gitlab.com/acme/widget',
      CI_RUNNER_ID: '12',
      CI_COMMIT_SHA: 'c0ffee',
      CI_JOB_NAME: 'publish',
      CI_JOB_URL: 'https://gitlab.com/acme/widget/-/jobs/5',
      CI_PIPELINE_ID: '99',
      CI_CONFIG_PATH: '.gitlab-ci.yml',
      GITLAB_USER_EMAIL: 'someone@example.com',
      CI_COMMIT_MESSAGE: 'secret plans',
    };
    const p = provenancePredicate('gitlab-ci', env);
    expect(p.buildDefinition.buildType).toBe(GITLAB_BUILD_TYPE);
    expect(p.runDetails).toEqual({
      builder: { id: 'https://gitlab.com/acme/widget/-/runners/12' },
      metadata: { invocationId: 'https://gitlab.com/acme/widget/-/jobs/5' },
    });
    expect(p.buildDefinition.resolvedDependencies).toEqual([{ uri: 'git+https://gitlab.com/acme/widget', digest: { gitCommit: 'c0ffee' } }]);
    expect(p.buildDefinition.externalParameters).toMatchObject({
      configSource: { uri: 'git+https://gitlab.com/acme/widget', digest: { sha1: 'c0ffee' }, entryPoint: 'publish' },
    });
    const json = JSON.stringify(p);
    expect(json).toContain('"CI_PIPELINE_ID":"99"');
    // npm stopped recording the user's e-mail and commit messages; so does vouch.
    expect(json).not.toContain('someone@example.com');
    expect(json).not.toContain('secret plans');
  });

  it('refuses keyless signing outside CI with USAGE', () => {
    expect(() => buildStatement({ name: 'w', version: '1.0.0', sha512Hex: SHA, ci: undefined, env: {}, publisherKey: undefined })).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
  });

  it('refuses a subject digest that is not a hex sha512', () => {
    expect(() => buildStatement({ name: 'w', version: '1.0.0', sha512Hex: 'ab', ci: undefined, env: {}, publisherKey: KEY })).toThrow();
  });
});
