import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../../lib/config/package-root.js';
import {
  AttestationStore,
  BUNDLE_MAX_BYTES,
  attestationsBody,
  attestationsPath,
  checkBundleAttachment,
  parseAttestationsBody,
  parseAttestationsSpec,
} from '../../../packages/vouch-registry/lib/attestations.js';
import { fileSegment, npmPurl, packageNameFromPath } from '../../../packages/vouch-registry/lib/names.js';
import { tempDir } from './helpers.js';

const bundles = packagePath('fixtures', 'real', 'bundles');
const provenance = readFileSync(join(bundles, '02-playwright-cli-0.1.1.provenance.sigstore.json'), 'utf8');
const npmPublish = readFileSync(join(bundles, '03-playwright-cli-0.1.1.publish.sigstore.json'), 'utf8');

describe('checkBundleAttachment', () => {
  it('accepts real npm bundles and reads predicateType from the DSSE payload', () => {
    expect(checkBundleAttachment(provenance)).toEqual({
      kind: 'ok',
      attestation: { predicateType: 'https://slsa.dev/provenance/v1', bundleText: provenance },
    });
    expect(checkBundleAttachment(npmPublish)).toMatchObject({
      kind: 'ok',
      attestation: { predicateType: 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1' },
    });
  });

  it('rejects non-text, non-JSON, oversized, non-bundle, envelope-less and predicate-less attachments', () => {
    const bundle = JSON.parse(provenance) as Record<string, unknown>;
    const noPredicate = { ...bundle, dsseEnvelope: { ...(bundle['dsseEnvelope'] as object), payload: Buffer.from('{"a":1}').toString('base64') } };
    const cases: [string, unknown][] = [
      ['base64 object', { data: 'x' }],
      ['not json', '{"mediaType": '],
      ['too large', JSON.stringify({ ...bundle, pad: 'x'.repeat(BUNDLE_MAX_BYTES) })],
      ['not a bundle', JSON.stringify({ ...bundle, mediaType: 'application/json' })],
      ['no envelope', JSON.stringify({ mediaType: bundle['mediaType'], messageSignature: {} })],
      ['no predicateType', JSON.stringify(noPredicate)],
      ['payload not json', JSON.stringify({ ...noPredicate, dsseEnvelope: { payload: Buffer.from('nope').toString('base64') } })],
    ];
    for (const [label, data] of cases) expect([label, checkBundleAttachment(data).kind]).toEqual([label, 'reject']);
  });
});

describe('attestationsBody', () => {
  it("embeds each bundle's bytes unchanged in valid JSON", () => {
    const text = attestationsBody([
      { predicateType: 'p1', bundleText: provenance },
      { predicateType: 'p2', bundleText: '{ "spaced" : 1 }' },
    ]);
    expect(text).toContain(provenance);
    expect(text).toContain('{ "spaced" : 1 }');
    expect(JSON.parse(text)).toEqual({
      attestations: [
        { predicateType: 'p1', bundle: JSON.parse(provenance) },
        { predicateType: 'p2', bundle: { spaced: 1 } },
      ],
    });
  });
});

describe('attestation paths', () => {
  it('encodes scoped names as npm does and reads them back encoded or not', () => {
    expect(attestationsPath('@scope/name', '1.2.3')).toBe('/-/npm/v1/attestations/%40scope%2Fname@1.2.3');
    for (const path of [
      '/-/npm/v1/attestations/%40scope%2Fname@1.2.3',
      '/-/npm/v1/attestations/%40scope%2fname@1.2.3',
      '/-/npm/v1/attestations/@scope/name@1.2.3',
    ]) {
      expect(parseAttestationsSpec(path)).toEqual({ name: '@scope/name', version: '1.2.3' });
    }
    expect(parseAttestationsSpec('/-/npm/v1/attestations/left-pad@1.3.0-rc.1+b2')).toEqual({ name: 'left-pad', version: '1.3.0-rc.1+b2' });
  });

  it('refuses specs that could name a path outside the store', () => {
    for (const spec of ['..@1.0.0', '%2e%2e@1.0.0', 'a/../b@1.0.0', '@scope/..@1.0.0', 'x@..', 'x@1.0.0/..', '@1.0.0', 'x@', '%zz@1']) {
      expect([spec, parseAttestationsSpec(`/-/npm/v1/attestations/${spec}`)]).toEqual([spec, undefined]);
    }
    expect(fileSegment('..')).toBe('%2E.');
    expect(fileSegment('@a/b')).toBe('%40a%2Fb');
  });

  it('reads the package of a request path as Verdaccio routes it', () => {
    for (const path of ['/@acme/pkg', '/%40acme%2Fpkg', '/@acme%2fpkg', '/%40acme/pkg', '/@acme%2Fpkg/-rev/3-abc', '/@acme/pkg/-rev/3-abc?write=true']) {
      expect([path, packageNameFromPath(path)]).toEqual([path, '@acme/pkg']);
    }
    expect(packageNameFromPath('/left-pad/-rev/1-x')).toBe('left-pad');
    expect(packageNameFromPath('/%zz')).toBeUndefined();
    expect(packageNameFromPath('/')).toBeUndefined();
  });

  it('writes package URLs with an encoded scope', () => {
    expect(npmPurl('@playwright/cli', '0.1.1')).toBe('pkg:npm/%40playwright/cli@0.1.1');
    expect(npmPurl('left-pad', '1.3.0')).toBe('pkg:npm/left-pad@1.3.0');
  });
});

describe('AttestationStore', () => {
  it('returns exactly the stored body, and undefined for a version without one', async () => {
    const store = new AttestationStore(tempDir());
    store.put('@acme/pkg', '1.0.0', [{ predicateType: 'p', bundleText: provenance }]);
    expect(await store.get('@acme/pkg', '1.0.0')).toBe(attestationsBody([{ predicateType: 'p', bundleText: provenance }]));
    expect(await store.get('@acme/pkg', '2.0.0')).toBeUndefined();
    expect(await store.get('@acme/other', '1.0.0')).toBeUndefined();
  });
});

describe('parseAttestationsBody', () => {
  it('gives back each stored bundle byte for byte, real npm bundles with their own whitespace included', () => {
    const entries = [
      { predicateType: 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1', bundleText: npmPublish },
      { predicateType: 'https://slsa.dev/provenance/v1', bundleText: provenance },
      { predicateType: 'odd "quoted" \\ type', bundleText: '{ "a": ["}", "\\"]{", [1, {"b": {}}]] }' },
    ];
    const body = attestationsBody(entries);
    expect(parseAttestationsBody(body)).toEqual(entries);
    expect(parseAttestationsBody(attestationsBody([]))).toEqual([]);
  });

  it('refuses a body attestationsBody did not write, a truncated one and a bundle that is not JSON', () => {
    const body = attestationsBody([{ predicateType: 'https://slsa.dev/provenance/v1', bundleText: provenance }]);
    for (const text of [
      JSON.stringify(JSON.parse(body), null, 1),
      body.slice(0, -3),
      `${body} `,
      '{"attestations":[{"predicateType":"x","bundle":{"a":1}},]}',
      '{"attestations":[{"predicateType":"x","bundle":{"a":}}]}',
      '{"attestations":[{"predicateType":"x","bundle":12}]}',
    ])
      expect(parseAttestationsBody(text)).toBeUndefined();
  });

  it('does not overflow the stack on a deeply nested bundle', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const body = attestationsBody([{ predicateType: 'x', bundleText: deep }]);
    expect(parseAttestationsBody(body)?.[0]?.bundleText.length).toBe(deep.length);
  });
});
