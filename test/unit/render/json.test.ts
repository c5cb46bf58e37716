import { describe, expect, it } from 'vitest';
import { FINDING_CODE_LIST, render, toReportJson, type ReportJson } from '../../../lib/cli/render/index.js';
import type { PackageVerdict } from '../../../lib/policy/report.js';
import { KEY_NEW, allowed, badSignature, identity, missingSignature, mixedReport, ref, report } from './report-builder.js';
import { reportSchema, reportValidator } from '../../support/schemas.js';

const schema = reportSchema();
const validate = reportValidator();

const VERSION = '0.1.0-test';
const json = (r = mixedReport()): ReportJson => JSON.parse(render(r, 'json', { version: VERSION })) as ReportJson;

describe('--format json', () => {
  it('validates against docs/report.schema.json', () => {
    const doc = json();
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(json(report([])))).toBe(true);
  });

  it('is rejected by the schema when a field is missing, unknown or mistyped', () => {
    const { schemaVersion: _omit, ...noVersion } = json();
    expect(validate(noVersion)).toBe(false);
    expect(validate({ ...json(), extra: true })).toBe(false);
    const badCode = json();
    const pkg = badCode.packages.find((p) => p.findings.length > 0);
    if (!pkg?.findings[0]) throw new Error('fixture has a finding');
    (pkg.findings[0] as { code: string }).code = 'NOT_A_CODE';
    expect(validate(badCode)).toBe(false);
    const badDate = json();
    const withDate = badDate.packages[0];
    if (!withDate) throw new Error('fixture has packages');
    withDate.evidence.publishedAt = 'yesterday';
    expect(validate(badDate)).toBe(false);
  });

  it('lists exactly the finding codes vouch has in the schema enum', () => {
    const defs = (schema as { $defs: { findingCode: { enum: string[] } } }).$defs;
    expect(defs.findingCode.enum).toEqual([...FINDING_CODE_LIST]);
  });

  it('carries schemaVersion 1, the tool version, the worst decision and the summary', () => {
    const doc = json();
    expect(doc.schemaVersion).toBe(1);
    expect(doc.tool).toEqual({ name: 'vouch', version: VERSION });
    expect(doc.decision).toBe('deny');
    expect(doc.summary).toMatchObject({ total: 8, allowed: 4, warned: 1, denied: 3, unverifiable: 1, packages: 7, sources: 1 });
    expect(doc.summary.byStatus).toEqual({ verified: 4, missing: 1, invalid: 1, 'unsigned-registry': 1, unverifiable: 1 });
    expect(doc.summary.evidence).toEqual({
      registrySignatures: 4,
      provenance: 3,
      provenanceIdentities: 2,
      publishAttestations: 4,
      publisherSigned: 1,
    });
    expect(json(report([allowed(ref('a', '1.0.0'))])).decision).toBe('allow');
    expect(doc.registries.map((r) => r.url)).toEqual(['http://127.0.0.1:4873/', 'https://registry.npmjs.org/']);
    expect(doc.notices).toHaveLength(1);
  });

  it('sorts packages by name then semver, and findings with denials first', () => {
    const doc = json();
    expect(doc.packages.map((p) => `${p.name}@${p.version}`)).toEqual([
      '@acme/widget@2.1.0',
      '@internal/lib@0.3.0',
      'async@1.1.1',
      'evil@1.0.0',
      'string-width@4.2.3',
      'zod@3.9.0',
      'zod@3.23.8',
    ]);
    expect(doc.sources.map((s) => s.name)).toEqual(['gitdep']);
    const v = badSignature(ref('b', '1.0.0'));
    v.findings.unshift({ code: 'RELEASE_TOO_NEW', severity: 'warn', message: 'new' });
    expect(json(report([v])).packages[0]?.findings.map((f) => f.code)).toEqual(['SIGNATURE_INVALID', 'RELEASE_TOO_NEW']);
  });

  it('gives per package the ref fields, status, decision, findings and evidence with ISO dates', () => {
    const doc = json();
    const widget = doc.packages.find((p) => p.name === '@acme/widget');
    expect(widget).toMatchObject({ version: '2.1.0', status: 'verified', decision: 'allow', findings: [], registry: 'https://registry.npmjs.org/' });
    const att = widget?.evidence.attestations;
    if (att?.kind !== 'verified') throw new Error('expected verified attestations');
    expect(att.provenance?.identity).toMatchObject({
      repository: 'https://github.com/acme/widget',
      workflow: '.github/workflows/release.yml',
      issuer: 'https://token.actions.githubusercontent.com',
    });
    expect(att.provenance?.integratedTime).toBe('2024-05-01T12:00:00.000Z');
    expect(att.publish?.keyid).toBe(KEY_NEW);
    expect(att.publisher?.keyid).toMatch(/^SHA256:pUbLiShEr/);
    expect(widget?.evidence.signature).toEqual({ kind: 'verified', keyids: [KEY_NEW] });
    expect(widget?.evidence.publishedAt).toBe('2024-05-01T11:59:58.000Z');
    const alias = doc.packages.find((p) => p.name === 'string-width');
    expect(alias?.aliases).toEqual(['string-width-cjs']);
    expect(alias?.locations).toEqual(['node_modules/string-width-cjs']);
    expect(alias?.evidence.attestations).toEqual(expect.objectContaining({ kind: 'verified', provenance: null, publisher: null }));
  });

  it('writes the same bytes whatever order the report arrives in, keys included', () => {
    const r = mixedReport();
    const shuffled = { ...r, verdicts: [...r.verdicts].reverse(), registries: [...r.registries].reverse() };
    // Evidence objects built with a different key order must serialise identically.
    const first = shuffled.verdicts.find((v): v is PackageVerdict => v.kind === 'package' && v.ref.name === 'zod');
    if (first?.evidence.attestations?.kind === 'verified' && first.evidence.attestations.provenance) {
      const p = first.evidence.attestations.provenance;
      first.evidence.attestations.provenance = {
        trustRoot: p.trustRoot,
        bundleDigest: p.bundleDigest,
        integratedTime: p.integratedTime,
        identity: { ...identity('colinhacks/zod') },
        predicateType: p.predicateType,
      };
    }
    expect(render(shuffled, 'json', { version: VERSION })).toBe(render(r, 'json', { version: VERSION }));
  });

  it('writes npm audit signatures compatible invalid and missing arrays, one entry per location', () => {
    const doc = json();
    expect(doc.invalid.map((e) => [e.name, e.location, e.code, e.vouchCode, e.keyid, e.type])).toEqual([
      ['evil', 'node_modules/evil', 'EINTEGRITYSIGNATURE', 'SIGNATURE_INVALID', KEY_NEW, 'dependencies'],
      ['evil', 'node_modules/x/node_modules/evil', 'EINTEGRITYSIGNATURE', 'SIGNATURE_INVALID', KEY_NEW, 'dependencies'],
    ]);
    expect(doc.invalid[0]?.message).toMatch(/^evil@1\.0\.0: /);
    expect(doc.invalid[0]?.resolved).toBe('https://registry.npmjs.org/evil/-/evil-1.0.0.tgz');
    expect(doc.missing).toEqual([
      {
        name: 'async',
        version: '1.1.1',
        location: 'node_modules/async',
        registry: 'https://registry.npmjs.org/',
        resolved: 'https://registry.npmjs.org/async/-/async-1.1.1.tgz',
        integrity: expect.stringMatching(/^sha512-/),
      },
    ]);
  });

  it('maps integrity, key and attestation failures to the npm codes pacote raises', () => {
    const base = badSignature(ref('p', '1.0.0'));
    const withIntegrity: PackageVerdict = {
      ...base,
      evidence: { ...base.evidence, integrity: { kind: 'failed', code: 'TARBALL_MISMATCH', message: 'tarball differs' } },
    };
    const expired: PackageVerdict = {
      ...base,
      ref: ref('q', '1.0.0'),
      evidence: { ...base.evidence, signature: { kind: 'failed', code: 'KEY_EXPIRED', keyid: KEY_NEW, message: 'expired' } },
    };
    const subject: PackageVerdict = {
      ...base,
      ref: ref('r', '1.0.0'),
      evidence: {
        ...base.evidence,
        signature: { kind: 'verified', keyids: [KEY_NEW] },
        attestations: { kind: 'failed', code: 'ATTESTATION_SUBJECT', message: 'subject', predicateType: 'https://slsa.dev/provenance/v1' },
      },
    };
    const doc = json(report([withIntegrity, expired, subject, missingSignature(ref('s', '1.0.0'))]));
    expect(doc.invalid.map((e) => [e.name, e.code, e.keyid])).toEqual([
      ['p', 'EINTEGRITY', ''],
      ['q', 'EEXPIREDSIGNATUREKEY', KEY_NEW],
      ['r', 'EATTESTATIONSUBJECT', ''],
    ]);
    expect(doc.invalid[2]?.predicateType).toBe('https://slsa.dev/provenance/v1');
    expect(doc.missing.map((e) => e.name)).toEqual(['s']);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  });

  it("lists an advertised attestation the registry does not serve under invalid (EATTESTATIONVERIFY), not npm's missing", () => {
    const v = allowed(ref('gone', '1.0.0'));
    const gone: PackageVerdict = {
      ...v,
      status: 'missing',
      decision: 'deny',
      findings: [{ code: 'ATTESTATION_MISSING', severity: 'deny', message: 'not served' }],
      evidence: { ...v.evidence, attestations: { kind: 'failed', code: 'ATTESTATION_MISSING', message: 'not served' } },
    };
    const doc = toReportJson(report([gone, missingSignature(ref('s', '1.0.0'))]), VERSION);
    expect(doc.invalid.map((e) => [e.name, e.code, e.vouchCode])).toEqual([['gone', 'EATTESTATIONVERIFY', 'ATTESTATION_MISSING']]);
    expect(doc.missing.map((e) => e.name)).toEqual(['s']);
  });

  it('leaves policy denials with verified evidence out of the npm arrays', () => {
    const v = allowed(ref('a', '1.0.0'), { provenance: identity('o/a') });
    const denied: PackageVerdict = { ...v, decision: 'deny', findings: [{ code: 'IDENTITY_CHANGED', severity: 'deny', message: 'changed' }] };
    const doc = toReportJson(report([denied]), VERSION);
    expect(doc.decision).toBe('deny');
    expect(doc.invalid).toEqual([]);
    expect(doc.missing).toEqual([]);
  });

  it('reports unverifiable packages with null evidence fields', () => {
    const r = ref('u', '1.0.0');
    const v: PackageVerdict = {
      kind: 'package',
      ref: r,
      status: 'unverifiable',
      decision: 'deny',
      findings: [{ code: 'REGISTRY_UNREACHABLE', severity: 'deny', message: 'ECONNREFUSED' }],
      evidence: { ref: r, unverifiable: { code: 'REGISTRY_UNREACHABLE', message: 'ECONNREFUSED' } },
    };
    const doc = json(report([v]));
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.packages[0]?.evidence).toEqual({
      unverifiable: { code: 'REGISTRY_UNREACHABLE', message: 'ECONNREFUSED' },
      integrity: null,
      registryIntegrity: null,
      signature: null,
      attestations: null,
      publishedAt: null,
    });
  });
});
