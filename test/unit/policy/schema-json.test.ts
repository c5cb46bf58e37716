import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../../lib/config/package-root.js';
import { parsePolicy, policySchemaJson, policySchemaText } from '../../../lib/policy/index.js';

describe('vouch.policy.schema.json', () => {
  it('is committed exactly as generated from the zod definition (run `npm run schema` after changing it)', () => {
    expect(readFileSync(packagePath('vouch.policy.schema.json'), 'utf8')).toBe(policySchemaText());
  });

  it('agrees with the runtime check on what is valid and what is not', () => {
    const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(policySchemaJson());
    const good = {
      $schema: './node_modules/vouch/vouch.policy.schema.json',
      defaults: { signatures: 'require', provenance: 'no-downgrade', minReleaseAge: 3 },
      registries: { 'https://npm.acme.example/': { keys: 'none' } },
      rules: [
        {
          packages: '@acme/*',
          provenance: 'require',
          identity: { repository: 'https://github.com/acme/widget', ref: 'refs/tags/v*' },
          publisherKeys: [{ keyid: 'SHA256:k', revokedAt: '2027-01-01' }],
        },
      ],
      sources: { git: ['my-fork'] },
      exceptions: { 'left-pad': [{ versions: '1.3.0', allow: ['PROVENANCE_MISSING'], reason: 'r', approvedBy: 'j', expires: '2027-03-01' }] },
    };
    expect(validate(good)).toBe(true);
    expect(() => parsePolicy(JSON.stringify(good), 'p.json')).not.toThrow();
    for (const bad of [
      { defaults: { signatures: 'maybe' } },
      { unknown: 1 },
      { exceptions: { a: [{ allow: ['SIGNATURE_INVALID'], reason: 'r', approvedBy: 'j', expires: '2027-01-01' }] } },
    ]) {
      expect(validate(bad)).toBe(false);
      expect(() => parsePolicy(JSON.stringify(bad), 'p.json')).toThrow();
    }
  });
});
