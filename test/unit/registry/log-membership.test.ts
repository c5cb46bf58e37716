// Membership of a version's signing events in a real signing log (the registry's SigningLog, read only through
// the files it serves): the logged signature is proven; one the log does not hold, one whose entry records
// another event, one past the verified checkpoint and one behind a changed tile are not; a publish
// attestation proven into the verified tree passes and one proven into a forked tree fails.
import { describe, expect, it } from 'vitest';
import { SigningLog, type SigningEvent } from '../../../packages/vouch-registry/lib/signing-log.js';
import { checkLogMembership } from '../../../lib/registry/log-membership.js';
import type { VerifiedLog } from '../../../lib/registry/log-check.js';
import type { VersionDist } from '../../../lib/registry/packument.js';
import { TileReader, verifierKeyMaterial } from '../../../lib/tlog/index.js';
import type { PackageEvidence } from '../../../lib/verify/types.js';
import { tempDir } from '../registry-plugin/helpers.js';

const KEY = 'SHA256:registry-key';
const signed = (name: string, version: string): SigningEvent => ({
  type: 'version-signed',
  name,
  version,
  integrity: `sha512-${name}-${version}`,
  keyid: KEY,
  sig: `sig-${name}-${version}`,
  source: 'publish',
});

function verifiedLog(log: SigningLog, edit?: (path: string, body: Buffer) => Buffer): VerifiedLog {
  const fetch = async (path: string) => {
    const body = log.read(path);
    if (!body) throw new Error(`not served: ${path}`);
    return edit ? edit(path, Buffer.from(body)) : body;
  };
  return {
    registry: 'http://127.0.0.1:1/',
    key: log.verifierKey,
    size: log.treeSize,
    root: log.root(),
    checkpoint: '',
    logId: verifierKeyMaterial(log.verifierKey).keyHash.toString('base64'),
    tiles: new TileReader(fetch, log.treeSize),
  };
}

function evidenceOf(name: string, version: string, extra: Partial<PackageEvidence> = {}): PackageEvidence {
  return {
    ref: {
      name,
      version,
      aliases: [],
      locations: [`node_modules/${name}`],
      integrity: `sha512-${name}-${version}`,
      resolved: null,
      registry: 'http://127.0.0.1:1/',
      dev: false,
      optional: false,
      hasInstallScript: false,
    },
    integrity: { kind: 'ok', integrity: `sha512-${name}-${version}`, tarballChecked: false },
    signature: { kind: 'verified', keyids: [KEY] },
    attestations: { kind: 'none' },
    ...extra,
  };
}

const distOf = (name: string, version: string, logIndex?: number): VersionDist => ({
  integrity: `sha512-${name}-${version}`,
  signatures: [{ keyid: KEY, sig: `sig-${name}-${version}`, ...(logIndex !== undefined ? { logIndex } : {}) }],
});

function logOf(count: number): SigningLog {
  const log = SigningLog.open(tempDir());
  log.appendBatch(Array.from({ length: count }, (_, i) => signed(`pkg-${i}`, '1.0.0')));
  return log;
}

describe('checkLogMembership: registry signatures', () => {
  it('a signature whose logIndex names its own entry, proven in the verified checkpoint: registryLog', async () => {
    const log = logOf(300);
    const out = await checkLogMembership(evidenceOf('pkg-257', '1.0.0'), distOf('pkg-257', '1.0.0', 257), verifiedLog(log));
    expect(out.signature).toEqual({ kind: 'verified', keyids: [KEY] });
    expect(out.registryLog).toEqual({ index: 257, treeSize: 300 });
  });

  it("no logIndex, another event's entry, an index past the checkpoint, a changed tile: SIGNATURE_NOT_LOGGED", async () => {
    const log = logOf(300);
    const cases: [VersionDist, RegExp, VerifiedLog?][] = [
      [distOf('pkg-5', '1.0.0'), /names no entry/],
      [distOf('pkg-5', '1.0.0', 6), /records another signing event/],
      [distOf('pkg-5', '1.0.0', 300), /past the checkpoint of 300/],
      [
        distOf('pkg-5', '1.0.0', 5),
        /not in the tree/,
        verifiedLog(log, (path, body) => {
          if (path.startsWith('tile/0/')) body[7 * 32] ^= 1; // a sibling hash on the audit path of entry 5
          return body;
        }),
      ],
    ];
    for (const [dist, why, view] of cases) {
      const out = await checkLogMembership(evidenceOf('pkg-5', '1.0.0'), dist, view ?? verifiedLog(log));
      expect(out.signature).toMatchObject({ kind: 'failed', code: 'SIGNATURE_NOT_LOGGED', message: expect.stringMatching(why) });
      expect(out.registryLog).toBeUndefined();
    }
  });

  it('a signature over other bytes than the entry records is not proven by that entry', async () => {
    const log = logOf(10);
    const dist = { ...distOf('pkg-3', '1.0.0', 3), integrity: 'sha512-other' };
    const out = await checkLogMembership(evidenceOf('pkg-3', '1.0.0'), dist, verifiedLog(log));
    expect(out.signature).toMatchObject({ code: 'SIGNATURE_NOT_LOGGED' });
  });
});

describe("checkLogMembership: the registry's publish attestation", () => {
  const attested = (log: SigningLog, treeSize: number, rootHash: Uint8Array, logId?: string): PackageEvidence =>
    evidenceOf('pkg-1', '1.0.0', {
      signature: { kind: 'no-keys' },
      attestations: {
        kind: 'verified',
        publish: {
          predicateType: 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1',
          keyid: KEY,
          integratedTime: null,
          bundleDigest: 'sha256:x',
          logged: {
            logId: logId ?? verifierKeyMaterial(log.verifierKey).keyHash.toString('base64'),
            index: 1,
            treeSize,
            rootHash: Buffer.from(rootHash).toString('base64'),
          },
        },
      },
    });

  it('proven into an older checkpoint the verified log extends, or into the verified one: passes', async () => {
    const log = logOf(40);
    const older = log.root();
    log.appendBatch(Array.from({ length: 300 }, (_, i) => signed(`later-${i}`, '1.0.0')));
    const view = verifiedLog(log);
    expect((await checkLogMembership(attested(log, 40, older), distOf('pkg-1', '1.0.0'), view)).attestations?.kind).toBe('verified');
    expect((await checkLogMembership(attested(log, 340, log.root()), distOf('pkg-1', '1.0.0'), view)).attestations?.kind).toBe('verified');
  });

  it('proven into a forked tree, into a tree past the verified one, in another log, or with no entry: ATTESTATION_NOT_LOGGED', async () => {
    const log = logOf(40);
    const fork = SigningLog.open(tempDir()); // same size, other history
    fork.appendBatch(Array.from({ length: 40 }, (_, i) => signed(`pkg-${i}`, i === 39 ? '9.9.9' : '1.0.0')));
    log.appendBatch([signed('x', '1.0.0')]);
    const view = verifiedLog(log);
    const noEntry = attested(log, 40, fork.root());
    if (noEntry.attestations?.kind === 'verified') delete noEntry.attestations.publish!.logged;
    const cases: [PackageEvidence, RegExp][] = [
      [attested(log, 40, fork.root()), /split view/],
      [attested(log, 41, fork.root()), /split view/],
      [attested(log, 42, log.root()), /past the 41/],
      [attested(log, 41, log.root(), 'b3RoZXI='), /not in the registry's signing log/],
      [noEntry, /carries no entry/],
    ];
    for (const [evidence, why] of cases) {
      const out = await checkLogMembership(evidence, distOf('pkg-1', '1.0.0'), view);
      expect(out.attestations).toMatchObject({ kind: 'failed', code: 'ATTESTATION_NOT_LOGGED', message: expect.stringMatching(why) });
    }
  });
});
