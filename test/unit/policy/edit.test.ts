import { describe, expect, it } from 'vitest';
import { addException, FILE_DEFAULTS, parsePolicy, schemaRefFor } from '../../../lib/policy/index.js';
import { hasProblems } from '../../../lib/files/index.js';

const FILE = 'vouch.policy.json';
const EXCEPTION = {
  name: 'left-pad',
  versions: '1.3.0',
  allow: ['PROVENANCE_MISSING'] as const,
  reason: 'Unmaintained; ACME-1234',
  approvedBy: 'jane@acme.example',
  expires: '2027-03-01',
};

describe('addException', () => {
  it('appends to an existing list and keeps every other byte the user wrote', () => {
    const before = [
      '{',
      '    "$schema": "./node_modules/vouch/vouch.policy.schema.json",',
      '    "defaults": { "provenance": "require" },',
      '    "exceptions": {',
      '        "left-pad": [',
      '            { "versions": "1.2.0", "allow": ["PROVENANCE_MISSING"], "reason": "old", "approvedBy": "bob", "expires": "2027-01-01" }',
      '        ]',
      '    }',
      '}',
      '',
    ].join('\n');
    const after = addException(before, { ...EXCEPTION, allow: [...EXCEPTION.allow] }, FILE);
    expect(after.startsWith(before.split('\n').slice(0, 6).join('\n'))).toBe(true);
    expect(after.endsWith('}\n')).toBe(true);
    const list = parsePolicy(after, FILE).exceptions['left-pad'];
    expect(list?.map((e) => e.versions)).toEqual(['1.2.0', '1.3.0']);
    expect(after).toContain('\n            {\n                "versions": "1.3.0"');
  });

  it('adds the exceptions section when the policy has none', () => {
    const after = addException('{\n  "defaults": { "signatures": "warn" }\n}\n', { ...EXCEPTION, allow: [...EXCEPTION.allow] }, FILE);
    const p = parsePolicy(after, FILE);
    expect(p.defaults.signatures).toBe('warn');
    expect(p.exceptions['left-pad']?.[0]).toMatchObject({ reason: 'Unmaintained; ACME-1234', approvedBy: 'jane@acme.example', expires: '2027-03-01' });
  });

  it("names the schema only where it resolves (vouch in the project's node_modules), never a path that points nowhere", () => {
    const local = addException(
      null,
      { ...EXCEPTION, allow: [...EXCEPTION.allow] },
      FILE,
      schemaRefFor('/p', (path) => path === '/p/node_modules/vouch/vouch.policy.schema.json'),
    );
    expect(JSON.parse(local)).toHaveProperty('$schema', './node_modules/vouch/vouch.policy.schema.json');
    const global = addException(
      null,
      { ...EXCEPTION, allow: [...EXCEPTION.allow] },
      FILE,
      schemaRefFor('/p', () => false),
    );
    expect(JSON.parse(global)).not.toHaveProperty('$schema');
  });

  it('creates a policy that spells out the built-in settings when there is no file', () => {
    const p = parsePolicy(addException(null, { ...EXCEPTION, allow: [...EXCEPTION.allow] }, FILE), FILE);
    expect(p.defaults).toEqual({
      signatures: 'require',
      provenance: 'no-downgrade',
      unsignedRegistry: 'warn',
      minReleaseAge: 1,
      binCollisions: 'warn',
      toolchainBins: 'deny',
      scriptAddedFiles: 'warn',
      tier: { mode: 'no-downgrade', includePrereleases: false },
      changeAlerts: FILE_DEFAULTS.changeAlerts,
    });
    expect(p.exceptions['left-pad']).toHaveLength(1);
  });

  it('refuses an exception without a reason (the result would not validate)', () => {
    const err = (() => {
      try {
        addException(null, { ...EXCEPTION, allow: [...EXCEPTION.allow], reason: ' ' }, FILE);
      } catch (e) {
        return e;
      }
    })();
    expect(hasProblems(err) && err.code).toBe('POLICY_SCHEMA');
  });

  it('refuses to edit a policy that does not validate', () => {
    const err = (() => {
      try {
        addException('{"defaults": {"signatures": "maybe"}}', { ...EXCEPTION, allow: [...EXCEPTION.allow] }, FILE);
      } catch (e) {
        return e;
      }
    })();
    expect(hasProblems(err) && err.code).toBe('POLICY_SCHEMA');
  });
});

describe('addException: layouts', () => {
  const add = (text: string, name = 'left-pad') => addException(text, { ...EXCEPTION, name, allow: [...EXCEPTION.allow] }, FILE);

  it('adds a new package to an existing exceptions object, indented like its siblings', () => {
    const before = '{\n\t"exceptions": {\n\t\t"a": [{ "allow": ["PROVENANCE_MISSING"], "reason": "r", "approvedBy": "j", "expires": "2027-01-01" }]\n\t}\n}\n';
    const after = add(before);
    expect(after.startsWith(before.slice(0, before.indexOf(']') + 1))).toBe(true);
    expect(after).toContain(',\n\t\t"left-pad": [\n\t\t\t{\n\t\t\t\t"versions": "1.3.0"');
    expect(Object.keys(parsePolicy(after, FILE).exceptions)).toEqual(['a', 'left-pad']);
  });

  it('fills an empty exceptions object and an empty document', () => {
    expect(parsePolicy(add('{ "exceptions": {} }'), FILE).exceptions['left-pad']).toHaveLength(1);
    expect(parsePolicy(add('{}'), FILE).exceptions['left-pad']).toHaveLength(1);
  });

  it('keeps a one-line policy on one line', () => {
    const after = add('{ "defaults": { "signatures": "warn" } }');
    expect(after.split('\n')).toHaveLength(1);
    expect(parsePolicy(after, FILE).defaults.signatures).toBe('warn');
  });

  it('keeps CRLF line ends and a byte order mark', () => {
    const after = add('\uFEFF{\r\n  "defaults": { "signatures": "warn" }\r\n}\r\n');
    expect(after.startsWith('\uFEFF{\r\n  "defaults"')).toBe(true);
    expect(after.replace(/\r\n/g, '').includes('\n')).toBe(false);
  });
});
