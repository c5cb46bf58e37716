// Registry trust a hostile registry or mirror cannot bend (issue 15), through a rewriting proxy in front
// of `vouch registry`: keys pinned in vouch.lock on first use, a signature downgrade, an extra key,
// a leaked retired key with its publish time set back or removed, a revoked key. Each case starts from
// a project whose vouch.lock already pinned the registry's keys, and checks the deny, its code, and
// that the project is byte-for-byte unchanged.
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keySigner } from '../../lib/sign/index.js';
import { keyIdOf } from '../../lib/keys/index.js';
import { packTarball } from '../support/npm.js';
import { writePackage } from '../support/packages.js';
import { copyProject, snapshotProject } from '../support/project.js';
import { findingCodes, jsonReport, reportPackage, startWorld, withoutSigningLog, type World } from './world.js';

let world: World;
let keyDir: string;
let activePem: string;
let retiredPem: string;
let installed: string; // left@1.0.0 installed: vouch.lock pins the registry's two keys and left's signed version
let n = 0;

const RETIRED_AT = '2025-01-01T00:00:00Z';
const KEYS = '/-/npm/v1/keys';

beforeAll(async () => {
  const active = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const retired = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  activePem = active.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  retiredPem = retired.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  keyDir = await mkdtemp(join(tmpdir(), 'vouch-trust-keys-'));
  await writeFile(join(keyDir, 'active.pem'), activePem, { mode: 0o600 });
  await writeFile(join(keyDir, 'retired.pem'), retiredPem, { mode: 0o600 });
  world = await startWorld('trust', { keys: [join(keyDir, 'active.pem'), `${join(keyDir, 'retired.pem')}=${RETIRED_AT}`] });
  const src = await world.registry.tempDir('packages');
  for (const version of ['1.0.0', '1.0.1']) await world.registry.publish(await writePackage(src, { name: 'left', version }));
  installed = await world.project('installed');
  const result = await vouch(['install', 'left@1.0.0'], installed);
  expect(result.code, result.stderr).toBe(0);
  const lock = JSON.parse(await readFile(join(installed, 'vouch.lock'), 'utf8')) as { registries?: Record<string, { keys: Record<string, unknown> }> };
  expect(Object.keys(lock.registries?.[world.hostile.url]?.keys ?? {})).toHaveLength(2);
});

afterAll(async () => {
  await world?.stop();
  if (keyDir) await rm(keyDir, { recursive: true, force: true });
});

beforeEach(() => world.hostile.reset());

function vouch(args: string[], cwd: string) {
  return world.vouch([...args, '--format', 'json'], cwd);
}

const copyOfInstalled = () => copyProject(installed, join(world.work, `copy-${++n}`));
const sri = (bytes: Buffer): string => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
type Doc = { versions: Record<string, Record<string, unknown> & { dist: Record<string, unknown> }>; time?: Record<string, string> };

/**
 * left@`version` as someone holding `pem` serves it: new bytes, signed with that key, publish time as `time`
 * says ('month-ago': old enough for the default minReleaseAge).
 */
async function forgeVersion(version: string, pem: string, keyid: string, time: 'month-ago' | 'before-retirement' | 'removed'): Promise<void> {
  const tarball = await packTarball(await writePackage(join(world.work, `forged-${++n}`), { name: 'left', version, files: { 'payload.js': 'steal()' } }));
  const integrity = sri(tarball);
  const sig = (await keySigner(pem).sign(Buffer.from(`left@${version}:${integrity}`))).toString('base64');
  const path = `/left/-/left-${version}.tgz`;
  world.hostile.on('/left', {
    kind: 'json',
    rewrite: (body) => {
      const doc = body as Doc;
      doc.versions[version] = { name: 'left', version, dist: { integrity, tarball: `${world.hostile.url}${path.slice(1)}`, signatures: [{ keyid, sig }] } };
      if (doc.time && time === 'month-ago') doc.time[version] = new Date(Date.now() - 30 * 86_400_000).toISOString();
      if (doc.time && time === 'before-retirement') doc.time[version] = '2024-06-01T00:00:00.000Z';
      if (doc.time && time === 'removed') delete doc.time[version];
      return doc;
    },
  });
  world.hostile.on(path, { kind: 'body', body: tarball, type: 'application/octet-stream' });
}

/** The registry-level findings of the JSON report for the proxy's URL. */
function registryCodes(report: ReturnType<typeof jsonReport>): string[] {
  const entry = (report.registries as { url: string; findings: { code: string }[] }[]).find((r) => r.url === world.hostile.url);
  return (entry?.findings ?? []).map((f) => f.code);
}

describe('a registry that stops serving keys and strips signatures', () => {
  it('after vouch.lock pinned its keys: REGISTRY_KEYS_MISSING and SIGNATURE_DOWNGRADE, exit 1, nothing installed', async () => {
    world.hostile.on(KEYS, { kind: 'status', status: 404 });
    world.hostile.on('/left', {
      kind: 'json',
      rewrite: (body) => {
        const doc = body as Doc;
        for (const v of Object.values(doc.versions)) delete v.dist.signatures;
        return doc;
      },
    });
    const dir = await copyOfInstalled();
    const before = await snapshotProject(dir);
    const result = await vouch(['install', 'left@1.0.1'], dir);
    expect(result.stderr).not.toContain('internal error');
    expect(result.code, result.stderr).toBe(1);
    const report = jsonReport(result);
    expect(registryCodes(report)).toEqual(['REGISTRY_KEYS_MISSING']);
    expect(findingCodes(report, 'left', '1.0.1')).toContain('SIGNATURE_DOWNGRADE');
    expect(await snapshotProject(dir)).toEqual(before);
  });
});

describe('an extra key on the keys endpoint', () => {
  it('the attacker\'s key, and a new version signed with it: REGISTRY_KEY_ADDED, exit 1, even under signatures "require"', async () => {
    const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const key = createPublicKey(attacker.privateKey).export({ type: 'spki', format: 'der' }).toString('base64');
    const keyid = keyIdOf(key);
    world.hostile.on(KEYS, {
      kind: 'json',
      rewrite: (body) => {
        const doc = body as { keys: Record<string, unknown>[] };
        doc.keys.push({ expires: null, keyid, keytype: 'ecdsa-sha2-nistp256', scheme: 'ecdsa-sha2-nistp256', key });
        return doc;
      },
    });
    await forgeVersion('1.0.2', attacker.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), keyid, 'month-ago');
    const dir = await copyOfInstalled();
    await withoutSigningLog(world, dir); // the key endpoint alone (a vouch registry's log would refuse the forgery too)
    await writeFile(join(dir, 'vouch.policy.json'), `${JSON.stringify({ defaults: { signatures: 'require', unsignedRegistry: 'deny' } }, null, 2)}\n`);
    const before = await snapshotProject(dir);
    const result = await vouch(['install', 'left@1.0.2'], dir);
    expect(result.code, result.stderr).toBe(1);
    expect(registryCodes(jsonReport(result))).toEqual(['REGISTRY_KEY_ADDED']);
    expect(await snapshotProject(dir)).toEqual(before);

    // A person who checked with the operator accepts the key set; vouch.lock shows the change.
    const approved = await world.vouch(['approve', '--registry', world.hostile.url, '--reason', 'the operator added a key (ticket 42)'], dir);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain(keyid);
    expect((await vouch(['install', 'left@1.0.2'], dir)).code).toBe(0);
  });
});

describe('a retired registry key that leaks', () => {
  const retiredKeyid = () => keyIdOf(createPublicKey(retiredPem));

  it('a new version signed with it, publish time set back before the key retired: not in the signing log, SIGNATURE_NOT_LOGGED, exit 1', async () => {
    await forgeVersion('1.0.3', retiredPem, retiredKeyid(), 'before-retirement');
    const dir = await copyOfInstalled();
    const before = await snapshotProject(dir);
    const result = await vouch(['install', 'left@1.0.3'], dir);
    expect(result.code, result.stderr).toBe(1);
    expect(findingCodes(jsonReport(result), 'left', '1.0.3')).toEqual(['SIGNATURE_NOT_LOGGED']);
    expect(await snapshotProject(dir)).toEqual(before);
  });

  describe('where the registry keeps no signing log', () => {
    for (const time of ['before-retirement', 'removed'] as const) {
      it(`a new version signed with it, publish time ${time === 'removed' ? "removed (npm's 2015 fallback)" : 'set back before the key retired'}: KEY_EXPIRED_UNTIMED, exit 1`, async () => {
        await forgeVersion('1.0.3', retiredPem, retiredKeyid(), time);
        const dir = await copyOfInstalled();
        await withoutSigningLog(world, dir);
        const before = await snapshotProject(dir);
        const result = await vouch(['install', 'left@1.0.3'], dir);
        expect(result.code, result.stderr).toBe(1);
        // With no publish time at all, the default minReleaseAge cannot be shown to hold either.
        expect(findingCodes(jsonReport(result), 'left', '1.0.3')).toEqual(
          time === 'removed' ? ['KEY_EXPIRED_UNTIMED', 'RELEASE_TOO_NEW'] : ['KEY_EXPIRED_UNTIMED'],
        );
        expect(await snapshotProject(dir)).toEqual(before);
      });
    }

    it('is accepted only where the policy says so for that registry, with a reason, until a date (the finding is listed as waived)', async () => {
      await forgeVersion('1.0.3', retiredPem, retiredKeyid(), 'before-retirement');
      const dir = await copyOfInstalled();
      await withoutSigningLog(world, dir);
      await writeFile(
        join(dir, 'vouch.policy.json'),
        `${JSON.stringify(
          {
            registries: { [world.hostile.url]: { untimedExpiredKeys: { reason: 'old versions signed before the 2025 rotation', expires: '2099-01-01' } } },
          },
          null,
          2,
        )}\n`,
      );
      const result = await vouch(['verify'], dir);
      // verify judges the lockfile (left@1.0.0, signed by the active key): allowed, nothing waived.
      expect(result.code, result.stderr).toBe(0);
      const installedResult = await vouch(['install', 'left@1.0.3'], dir);
      expect(installedResult.code, installedResult.stderr).toBe(0);
      expect(reportPackage(jsonReport(installedResult), 'left', '1.0.3').waived?.map((w) => w.code)).toEqual(['KEY_EXPIRED_UNTIMED']);
    });
  });
});

describe('a revoked registry key', () => {
  it('every signature by it is void, whatever its time: KEY_REVOKED, exit 1', async () => {
    const keyid = keyIdOf(createPublicKey(activePem));
    world.hostile.on(KEYS, {
      kind: 'json',
      rewrite: (body) => {
        const doc = body as { keys: Record<string, unknown>[] };
        for (const k of doc.keys) if (k.keyid === keyid) k.revoked = '2026-01-01T00:00:00.000Z';
        return doc;
      },
    });
    const dir = await copyOfInstalled();
    const before = await snapshotProject(dir);
    const result = await vouch(['install', 'left@1.0.1'], dir);
    expect(result.code, result.stderr).toBe(1);
    // QUICK_RELEASE: a warning, as every update of test packages published seconds apart.
    expect(findingCodes(jsonReport(result), 'left', '1.0.1').sort()).toEqual(['KEY_REVOKED', 'QUICK_RELEASE']);
    expect(await snapshotProject(dir)).toEqual(before);
  });
});
