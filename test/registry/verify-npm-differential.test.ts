// Differential test: `vouch verify` and the real `npm audit signatures` (offline through the keys
// preload) on the same installed tree agree package by package on verified / invalid / missing, and
// where npm aborts the whole run (a key expired before a version's publish time) vouch reports that
// package and goes on with the rest.
//
// The expired-key case needs a registry that serves a signature by a key its keys endpoint lists as
// expired before the version's publish time. The vouch plugin never does (it re-signs such versions
// with the active key, see plugin-rotation.test.ts), so here a pass-through proxy in front of it lists
// the key with a backdated `expires` — what a client sees when an operator retires a key and backdates
// its expiry while packuments signed with it are still served (e.g. from a CDN or a mirror).
import { createServer, type Server } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmEnv, runNpm, type NpmResult } from '../support/npm.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { recordsFile } from '../support/registry-storage.js';
import { denied, type ReportJson } from '../support/report.js';
import { buildTree, treeId, type BuiltTree, type TreePackage } from '../support/tree.js';
import { runVouch } from '../support/vouch.js';

let registry: TestRegistry;
let tree: BuiltTree;
/** Every installed location → its package, from the lockfile npm wrote. */
let installed: Map<string, { name: string; version: string }>;

let work: string;

beforeAll(async () => {
  // Our own storage folder, kept across registry.stop(), so the last test can restart on it rotated.
  work = await mkdtemp(join(tmpdir(), 'vouch-differential-'));
  registry = await startRegistry({ storage: join(work, 'storage') });
  tree = await buildTree(registry, { packages: 20, nestedNames: 2, prefix: 'nd', seed: 7 }, { consumer: { install: 'full', dir: join(work, 'app') } });
  const lock = JSON.parse(await readFile(join(tree.project, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
  installed = new Map(
    Object.entries(lock.packages)
      .filter(([l]) => l !== '')
      .map(([l, p]) => [l, { name: nameAt(l), version: p.version! }]),
  );
}, 300_000);

afterAll(async () => {
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

type Row = [string, string[]];
const sortRows = (rows: Row[]): Row[] => rows.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
const nameAt = (location: string): string => location.replace(/^.*node_modules\//, '');
const id = (p: { name: string; version: string }): string => treeId(p.name, p.version);

interface NpmAudit {
  invalid: { name: string; version: string; location: string; code: string; registry: string }[];
  missing: { name: string; version: string; location: string; registry: string }[];
}

/** `npm audit signatures --json` on the installed tree, against `registryUrl`, with a fresh npm cache. */
async function npmAudit(registryUrl = registry.url): Promise<NpmResult & { json?: NpmAudit }> {
  const env = await npmEnv(await registry.tempDir('npm-audit'), { url: registryUrl });
  const result = await runNpm(['audit', 'signatures', '--json'], tree.project, env);
  try {
    return { ...result, json: JSON.parse(result.stdout) as NpmAudit };
  } catch {
    return result;
  }
}

/** `vouch verify --format json` over node_modules (--installed) or the lockfile, with a fresh cache. */
async function vouch(mode: '--installed' | '--lockfile', registryUrl = registry.url) {
  const env = await npmEnv(await registry.tempDir('vouch'), { url: registryUrl });
  const result = await runVouch(['verify', mode, '--format', 'json'], { cwd: tree.project, env });
  return { ...result, report: result.json as ReportJson };
}

/** vouch verify, from node_modules and from the lockfile, exits `code` and gives npm's verdict at every location. */
async function expectAgreement(npm: NpmAudit, code: number, alsoCheck: (report: ReportJson) => void): Promise<void> {
  for (const mode of ['--installed', '--lockfile'] as const) {
    const v = await vouch(mode);
    expect(v.code, v.stderr).toBe(code);
    expect(vouchByLocation(v.report)).toEqual(npmByLocation(npm));
    alsoCheck(v.report);
  }
}

/** Per installed location: npm's verdict (verified unless listed in invalid or missing). */
function npmByLocation(audit: NpmAudit): Record<string, string> {
  const out: Record<string, string> = {};
  for (const location of installed.keys()) out[location] = 'verified';
  for (const e of audit.invalid) out[e.location] = `invalid ${e.code}`;
  for (const e of audit.missing) out[e.location] = 'missing';
  return out;
}

/** Per installed location: vouch's verdict, from packages[].status and the npm-compatible invalid array. */
function vouchByLocation(report: ReportJson): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of report.packages) {
    for (const location of p.locations) {
      const entry = report.invalid.find((e) => e.location === location);
      out[location] = p.status === 'invalid' ? `invalid ${entry?.code}` : p.status;
    }
  }
  return out;
}

/** The npm-shaped arrays, reduced to what both tools must agree on. */
const npmShape = (a: NpmAudit | ReportJson) => ({
  invalid: a.invalid.map((e) => [e.name, e.version, e.location, e.code, e.registry]).sort(),
  missing: a.missing.map((e) => [e.name, e.version, e.location, e.registry]).sort(),
});

type Records = { versions: Record<string, { integrity: string; keyid: string; sig?: string; source: string }> };

/** Runs `body` with the plugin's records of the given packages changed, restoring them afterwards. */
async function withRecords<T>(changes: [TreePackage, (r: Records['versions'][string]) => void][], body: () => Promise<T>): Promise<T> {
  const originals = new Map<string, string>();
  for (const [p, change] of changes) {
    const file = recordsFile(registry.storage, p.name);
    if (!originals.has(file)) originals.set(file, await readFile(file, 'utf8'));
    const records = JSON.parse(await readFile(file, 'utf8')) as Records;
    change(records.versions[p.version]!);
    await writeFile(file, JSON.stringify(records));
  }
  try {
    return await body();
  } finally {
    for (const [file, text] of originals) await writeFile(file, text);
  }
}

/** Runs `body` with a vouch.policy.json in the project accepting `registryUrl`'s untimed signatures by retired keys. */
async function withUntimedAccepted<T>(registryUrl: string, body: () => Promise<T>): Promise<T> {
  const file = join(tree.project, 'vouch.policy.json');
  const policy = {
    registries: { [registryUrl]: { untimedExpiredKeys: { reason: 'judge retired keys as npm does, on the packument time', expires: '2099-01-01' } } },
  };
  await writeFile(file, `${JSON.stringify(policy, null, 2)}\n`);
  try {
    return await body();
  } finally {
    await rm(file, { force: true });
  }
}

const single = (p: TreePackage): boolean => tree.plan.packages.filter((q) => q.name === p.name).length === 1;
const locationsOf = (p: TreePackage): string[] => [...installed].filter(([, q]) => id(q) === id(p)).map(([l]) => l);

describe('vouch verify and npm audit signatures on the same installed tree', () => {
  it('agree that every package is verified when all are signed (both exit 0)', async () => {
    const npm = await npmAudit();
    expect(npm.code, npm.stderr).toBe(0);
    expect(npm.json).toEqual({ invalid: [], missing: [] });
    await expectAgreement(npm.json!, 0, (report) => expect(npmShape(report)).toEqual(npmShape(npm.json!)));
  });

  it('agree location by location on altered (invalid) and removed (missing) signatures (both exit 1)', async () => {
    const nested = tree.plan.packages.find((p) => locationsOf(p).length > 1)!;
    const [removedA, removedB, alteredB] = tree.plan.packages.filter((p) => single(p) && p !== nested);
    const donorSig = JSON.parse(await readFile(recordsFile(registry.storage, alteredB!.name), 'utf8')) as Records;
    const foreign = donorSig.versions[alteredB!.version]!.sig!;
    await withRecords(
      [
        [nested, (r) => void (r.sig = foreign)], // a real registry signature over another message
        [alteredB!, (r) => void (r.sig = Buffer.alloc(72, 7).toString('base64'))],
        [removedA!, (r) => void delete r.sig], // a damaged record: the plugin serves the version unsigned
        [removedB!, (r) => void delete r.sig],
      ],
      async () => {
        const npm = await npmAudit();
        expect(npm.code, npm.stderr).toBe(1);
        const npmVerdicts = npmByLocation(npm.json!);
        // The tampering really shows in npm's output: one entry per location of each touched package.
        expect(
          Object.entries(npmVerdicts)
            .filter(([, v]) => v !== 'verified')
            .map(([l]) => installed.get(l)!)
            .map(id)
            .sort(),
        ).toEqual([...locationsOf(nested).map(() => id(nested)), id(alteredB!), id(removedA!), id(removedB!)].sort());
        await expectAgreement(npm.json!, 1, (report) => {
          expect(npmShape(report)).toEqual(npmShape(npm.json!));
          expect(denied(report)).toEqual(
            sortRows([
              [id(nested), ['SIGNATURE_INVALID']],
              [id(alteredB!), ['SIGNATURE_INVALID']],
              [id(removedA!), ['SIGNATURE_MISSING']],
              [id(removedB!), ['SIGNATURE_MISSING']],
            ]),
          );
        });
      },
    );
  });

  describe('a key that expired before some versions were published', () => {
    let proxy: KeysProxy;
    let expired: TreePackage[];
    let expires: string;

    beforeAll(async () => {
      // The last packages published (at least two) have a publish time at or after the key's expiry.
      const times = await Promise.all(
        tree.plan.packages.map(async (p) => {
          const doc = (await registry.get(encodeURIComponent(p.name))).json as { time: Record<string, string> };
          return { p, at: Date.parse(doc.time[p.version]!) };
        }),
      );
      times.sort((a, b) => a.at - b.at);
      let cut = times.length - 2;
      while (cut > 1 && times[cut]!.at === times[cut - 1]!.at) cut -= 1; // publishes in the same millisecond
      expect(times[cut]!.at).toBeGreaterThan(times[cut - 1]!.at);
      expires = new Date(times[cut]!.at).toISOString();
      expired = times.slice(cut).map((t) => t.p);
      proxy = await keysProxy(registry.url, (keys) => ({ keys: keys.keys.map((k) => ({ ...k, expires })) }));
    });

    afterAll(() => proxy?.close());

    it("npm aborts the whole run with EEXPIREDSIGNATUREKEY; vouch reports KEY_EXPIRED for those versions and verifies the rest, which the registry's signing log holds (or, without the log, only with untimedExpiredKeys)", async () => {
      const keys = (await (await fetch(new URL('-/npm/v1/keys', proxy.url))).json()) as KeysBody;
      expect(keys.keys.map((k) => [k.keyid, k.expires])).toEqual([[registry.keyid, expires]]);

      const npm = await npmAudit(proxy.url);
      expect(npm.code).toBe(1);
      expect(npm.stderr).toMatch(/code EEXPIREDSIGNATUREKEY/);
      expect(npm.json?.invalid ?? []).toEqual([]); // aborted: no report at all
      const named = /error (\S+@\d+\.\d+\.\d+) has a registry signature/.exec(npm.stderr)?.[1];
      expect(expired.map(id)).toContain(named);

      // npm judges the rest by the packument's time, which the registry writes and nobody signs. vouch finds each
      // of their signatures in the registry's signing log, which holds no retirement of the key before them.
      const v = await vouch('--installed', proxy.url);
      expect(v.code, v.stderr).toBe(1);
      expect(denied(v.report)).toEqual(sortRows(expired.map((p): Row => [id(p), ['KEY_EXPIRED']])));

      // With the registry's word accepted in the policy (untimedExpiredKeys), npm's own rule: exactly the expired ones.
      await withUntimedAccepted(proxy.url, async () => {
        for (const mode of ['--installed', '--lockfile'] as const) {
          const w = await vouch(mode, proxy.url);
          expect(w.code, w.stderr).toBe(1);
          expect(denied(w.report)).toEqual(sortRows(expired.map((p): Row => [id(p), ['KEY_EXPIRED']])));
          expect(w.report.summary.byStatus.verified).toBe(tree.plan.packages.length - expired.length);
          expect(new Set(w.report.invalid.map((e) => e.code))).toEqual(new Set(['EEXPIREDSIGNATUREKEY']));
        }
      });
    });

    it('vouch still reports an altered signature next to the expired ones, which npm never gets to', async () => {
      const altered = tree.plan.packages.find((p) => single(p) && !expired.includes(p))!;
      await withRecords([[altered, (r) => void (r.sig = Buffer.alloc(72, 9).toString('base64'))]], async () => {
        const npm = await npmAudit(proxy.url);
        expect(npm.code).toBe(1);
        expect(npm.stderr).toMatch(/code EEXPIREDSIGNATUREKEY/);
        const v = await withUntimedAccepted(proxy.url, () => vouch('--installed', proxy.url));
        expect(v.code, v.stderr).toBe(1);
        expect(denied(v.report)).toEqual(sortRows([...expired.map((p): Row => [id(p), ['KEY_EXPIRED']]), [id(altered), ['SIGNATURE_INVALID']]]));
      });
    });
  });
});

// Last: it restarts the shared registry with rotated keys.
describe('after a real key rotation on the same storage', () => {
  it('agree that everything verifies: the plugin re-signed the versions its retired key no longer covers', async () => {
    const oldKey = join(registry.storage, '.vouch', 'keys', 'signing-key.pem');
    const oldKeyid = registry.keyid;
    const newKey = join(work, 'new.pem');
    await writeFile(newKey, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await registry.stop();
    // The old key expired long before any of these versions was published.
    registry = await startRegistry({ storage: join(work, 'storage'), keys: [newKey, `${oldKey}=2001-01-01T00:00:00.000Z`] });
    const keys = ((await registry.get('-/npm/v1/keys')).json as KeysBody).keys;
    expect(keys.map((k) => [k.keyid, k.expires])).toEqual([
      [registry.keyid, null],
      [oldKeyid, '2001-01-01T00:00:00.000Z'],
    ]);

    const npm = await npmAudit();
    expect(npm.code, npm.stderr).toBe(0);
    expect(npm.json).toEqual({ invalid: [], missing: [] });
    await expectAgreement(npm.json!, 0, (report) =>
      expect(new Set(report.packages.map((p) => JSON.stringify(p.evidence.signature)))).toEqual(
        new Set([JSON.stringify({ kind: 'verified', keyids: [registry.keyid] })]),
      ),
    );
  });
});

interface KeysBody {
  keys: { keyid: string; key: string; keytype: string; scheme: string; expires: string | null }[];
}

interface KeysProxy {
  url: string;
  close(): Promise<void>;
}

/** A GET pass-through to `target` on 127.0.0.1 that rewrites only the keys endpoint's body. */
async function keysProxy(target: string, rewrite: (keys: KeysBody) => KeysBody): Promise<KeysProxy> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').replace(/^\//, '');
      const upstream = await fetch(new URL(path, target), { headers: { accept: req.headers.accept ?? '*/*' } });
      let body = Buffer.from(await upstream.arrayBuffer());
      if (path === '-/npm/v1/keys' && upstream.ok) body = Buffer.from(JSON.stringify(rewrite(JSON.parse(body.toString('utf8')) as KeysBody)));
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream' });
      res.end(body);
    })().catch((err: unknown) => {
      res.writeHead(502);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
