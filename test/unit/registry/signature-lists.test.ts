// cutSignatureLists: parsing its output gives exactly what parsing the body and then cutting each
// version's dist.signatures gives (packument.ts's boundedDist), on generated and hostile documents.
import { describe, expect, it } from 'vitest';
import { cutSignatureLists } from '../../../lib/registry/signature-lists.js';

const KEEP = 3;
const sig = (n: number) => ({ keyid: `SHA256:key-${n}`, sig: `MEUC${n}` });
const sigs = (count: number) => Array.from({ length: count }, (_, n) => sig(n));

/** The slow way: parse everything, then cut the lists. */
function parsedThenCut(text: string): unknown {
  const doc = JSON.parse(text) as { versions?: Record<string, { dist?: { signatures?: unknown } }> };
  if (doc.versions && typeof doc.versions === 'object') {
    for (const manifest of Object.values(doc.versions)) {
      const dist = manifest?.dist;
      if (dist && Array.isArray(dist.signatures)) dist.signatures = dist.signatures.slice(0, KEEP);
    }
  }
  return doc;
}

function cut(text: string): { text: string; same: boolean } {
  const body = Buffer.from(text);
  const out = cutSignatureLists(body, KEEP);
  return { text: out.toString('utf8'), same: out === body };
}

function expectSameAsSlowWay(text: string): void {
  expect(parsedThenCut(cut(text).text)).toEqual(parsedThenCut(text));
}

describe('cutSignatureLists', () => {
  it("cuts every version's signature list to the first entries, whatever the formatting", () => {
    const doc = { name: 'left', versions: { '1.0.0': { dist: { integrity: 'sha512-x', signatures: sigs(10) } }, '2.0.0': { dist: { signatures: sigs(2) } } } };
    for (const text of [JSON.stringify(doc), JSON.stringify(doc, null, 2), JSON.stringify(doc, null, '\t').replace(/,/g, ' ,\n ')]) {
      const result = cut(text);
      expect(result.same).toBe(false);
      expect(JSON.parse(result.text)).toEqual({ ...doc, versions: { ...doc.versions, '1.0.0': { dist: { integrity: 'sha512-x', signatures: sigs(KEEP) } } } });
    }
  });

  it('cuts 5,000 signatures to a few bytes', () => {
    const text = JSON.stringify({ versions: { '1.0.0': { dist: { signatures: sigs(5_000) } } } });
    const result = cut(text);
    expect(result.text.length).toBeLessThan(200);
    expectSameAsSlowWay(text);
  });

  it('leaves alone what only looks like a signature list: other paths, strings, objects, escaped keys', () => {
    const lookalikes = [
      { signatures: sigs(10), versions: {} },
      { versions: { '1.0.0': { signatures: sigs(10), dist: {} } } },
      { versions: { '1.0.0': { dist: { signatures: { a: 1, b: 2, c: 3, d: 4, e: 5 } } } } },
      { versions: { '1.0.0': { dist: { other: sigs(10), signaturesx: sigs(10) } } } },
      { versions: { '1.0.0': { readme: '"dist": {"signatures": [1,2,3,4,5,6]}', dist: { integrity: '],[,{' } } } },
      { other: { versions: { '1.0.0': { dist: { signatures: sigs(10) } } } } },
      { versions: [{ dist: { signatures: sigs(10) } }] },
    ];
    for (const doc of lookalikes) expect(cut(JSON.stringify(doc)).same, JSON.stringify(doc)).toBe(true);
    // A key written with escapes is the same key to JSON.parse: not cut here, cut later by boundedDist.
    const escaped = JSON.stringify({ versions: { '1.0.0': { dist: { signatures: sigs(10) } } } }).replace('"signatures"', '"\\u0073ignatures"');
    expect(cut(escaped).same).toBe(true);
    expectSameAsSlowWay(escaped);
  });

  it('follows strings with escaped quotes, backslashes, brackets and commas inside the lists', () => {
    const tricky = [{ keyid: 'a\\', sig: '"],[' }, { keyid: '\\"', sig: ',,,' }, { keyid: '}{', sig: '\\\\"' }, sig(3), sig(4), { keyid: '\u2028é', sig: '[' }];
    const docs = [
      { versions: { '1.0.0': { dist: { signatures: tricky } }, 'x"y': { dist: { signatures: [...tricky].reverse() } } } },
      { 'ver"sions': {}, versions: { '\\': { dist: { 'dist"': [], signatures: [[1, [2]], { a: [3] }, 'x', 4, null, true, 7] } } } },
    ];
    for (const doc of docs) {
      expect(cut(JSON.stringify(doc)).same).toBe(false);
      expectSameAsSlowWay(JSON.stringify(doc));
      expectSameAsSlowWay(JSON.stringify(doc, null, 1));
    }
  });

  it('cuts duplicated keys the way JSON.parse reads them (the last one wins)', () => {
    const text =
      `{"versions":{"1.0.0":{"dist":{"signatures":${JSON.stringify(sigs(9))},"signatures":${JSON.stringify(sigs(8))}}}},` +
      `"versions":{"1.0.0":{"dist":{"signatures":${JSON.stringify(sigs(7))}},"dist":{"signatures":${JSON.stringify(sigs(6))}}}}}`;
    expectSameAsSlowWay(text);
  });

  it('returns a body it cannot follow unchanged, for JSON.parse to judge', () => {
    const list = JSON.stringify(sigs(10));
    for (const text of [
      `{"versions":{"1.0.0":{"dist":{"signatures":${list}}}}`, // one brace short
      `{"versions":{"1.0.0":{"dist":{"signatures":${list}]}}}`, // a bracket too many
      `{"versions":{"1.0.0":{"dist":{"signatures":${list}}}}}"`, // an open string at the end
      `${'['.repeat(300)}${']'.repeat(300)}`,
    ]) {
      expect(cut(text).same, text.slice(0, 80)).toBe(true);
    }
  });

  it('agrees with the slow way on generated documents', () => {
    let seed = 5;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const value = (depth: number): unknown => {
      const r = next();
      if (depth > 3 || r < 0.3) return ['a', '"', '\\', ']', '{', 1, null, true][Math.floor(next() * 8)];
      if (r < 0.6) return Array.from({ length: Math.floor(next() * 6) }, () => value(depth + 1));
      return Object.fromEntries(
        Array.from({ length: Math.floor(next() * 4) }, (_, i) => [['dist', 'signatures', 'versions', `k${i}`][Math.floor(next() * 4)]!, value(depth + 1)]),
      );
    };
    for (let i = 0; i < 150; i++) {
      const versions = Object.fromEntries(
        Array.from({ length: 1 + Math.floor(next() * 3) }, (_, v) => [
          `1.0.${v}`,
          { name: value(2), dist: { integrity: 'sha512-x', signatures: Array.from({ length: Math.floor(next() * 8) }, () => value(4)) } },
        ]),
      );
      const text = JSON.stringify({ name: value(1), versions, time: value(1) }, null, next() < 0.5 ? 0 : 2);
      expectSameAsSlowWay(text);
    }
  });
});
