// verify --installed, after the evidence: every installed package folder is compared with the files of
// the tarball vouch verified for it (lib/installed). The file lists come from vouch's cache, else from
// verified bytes on this machine, else (online) from the tarball fetched and checked against the signed
// integrity as vouch ci fetches it. Offline with none of these the folder is reported, not passed.
import type { Tree } from '@npmcli/arborist';
import { isScriptAllowed } from '@npmcli/arborist/lib/script-allowed.js';
import pMap from 'p-map';
import type { NpmConfig } from '../config/index.js';
import type { AllowScriptsPolicy } from '../config/allow-scripts.js';
import { checkInstalledFolders, ManifestStore, manifestFor } from '../installed/index.js';
import type { ExpectedFolder } from '../installed/check.js';
import type { FileManifest } from '../installed/file-manifest.js';
import type { InstalledFolder } from '../policy/installed-files.js';
import { fetchVerifiedTarballs, VerifiedStore, withConcurrency } from '../registry/index.js';
import type { Gathered } from '../registry/evidence.js';
import type { PackageEvidence } from '../verify/index.js';
import { httpOptions, type GateOptions } from './gate.js';

export interface InstalledFiles {
  folders: InstalledFolder[];
  /** The evidence, with the tarball check folded in for packages whose tarball had to be fetched (TARBALL_MISMATCH). */
  evidence: PackageEvidence[];
}

/** Checks the folders of every verified package of `tree` (the project's node_modules as arborist loaded it). */
export async function checkInstalledFiles(tree: Tree, gathered: Gathered, config: NpmConfig, opts: GateOptions): Promise<InstalledFiles> {
  const store = ManifestStore.beside(config.cacheDir);
  let evidence = gathered.evidence;
  const manifests = await manifestsOf(verifiedIntegrities(evidence), config.cacheDir, store, opts.concurrency);
  const lacking = evidence.filter((e) => signedIntegrity(e) !== undefined && manifests.get(signedIntegrity(e)!) === null);
  if (lacking.length > 0 && !opts.offline) {
    // The tarball, fetched by the signed integrity into vouch's verified store (bytes that differ are TARBALL_MISMATCH).
    // A package already denied for its signature is fetched too: a policy may only warn about that, and its files count.
    const fetched = await fetchVerifiedTarballs(lacking.map(withoutFailures), {
      http: { ...httpOptions(config, opts), flat: withConcurrency(config.flat, opts.concurrency) },
      store: VerifiedStore.beside(config.cacheDir),
      npmCacheDir: config.cacheDir,
      concurrency: opts.concurrency,
    });
    const checked = new Map(fetched.evidence.map((e) => [e.ref, e]));
    evidence = evidence.map((e) => withTarballOutcome(e, checked.get(e.ref)));
    for (const [integrity, manifest] of await manifestsOf(verifiedIntegrities(lacking), config.cacheDir, store, opts.concurrency)) {
      if (manifest) manifests.set(integrity, manifest);
    }
  }
  const expected: ExpectedFolder[] = evidence.flatMap((e) => {
    const integrity = signedIntegrity(e);
    return integrity === undefined ? [] : e.ref.locations.map((location) => ({ location, integrity }));
  });
  const checks = await checkInstalledFolders(tree.path, expected, { manifestOf: async (integrity) => manifests.get(integrity) ?? null });
  const allow = (config.flat['allowScripts'] ?? null) as AllowScriptsPolicy | null;
  const scripted = new Map(evidence.flatMap((e) => e.ref.locations.map((l) => [l, e.ref.hasInstallScript] as const)));
  const folders = checks.map((check): InstalledFolder => {
    const node = tree.inventory.get(check.location);
    const gyp = check.kind !== 'unknown' && 'binding.gyp' in (manifests.get(check.integrity)?.files ?? {});
    const hasScripts = scripted.get(check.location) === true || gyp;
    return { ...check, scriptsRun: hasScripts && (node === undefined || isScriptAllowed(node, allow) !== false) };
  });
  return { folders, evidence };
}

/** The evidence as the tarball fetch judges it: failures it would otherwise stop at left out. */
function withoutFailures(e: PackageEvidence): PackageEvidence {
  const { signature, attestations, ...rest } = e;
  return {
    ...rest,
    ...(signature?.kind === 'failed' ? {} : signature ? { signature } : {}),
    ...(attestations?.kind === 'failed' ? {} : attestations ? { attestations } : {}),
  };
}

/**
 * `e` with what fetching its tarball showed folded in: bytes that differ from the signed integrity
 * (TARBALL_MISMATCH); a fetch that failed, unless `e` is denied already (the denial stays what it was).
 */
function withTarballOutcome(e: PackageEvidence, fetched: PackageEvidence | undefined): PackageEvidence {
  if (!fetched) return e;
  if (fetched.integrity?.kind === 'failed') return { ...e, integrity: fetched.integrity };
  const denied = e.signature?.kind === 'failed' || e.attestations?.kind === 'failed';
  if (fetched.unverifiable) return denied ? e : { ref: e.ref, unverifiable: fetched.unverifiable };
  return fetched.integrity ? { ...e, integrity: fetched.integrity } : e;
}

/** The integrity the registry signed, for evidence whose integrity verified (only those have bytes to compare with). */
function signedIntegrity(e: PackageEvidence): string | undefined {
  return !e.unverifiable && e.integrity?.kind === 'ok' ? e.integrity.integrity : undefined;
}

function verifiedIntegrities(evidence: readonly PackageEvidence[]): string[] {
  return [...new Set(evidence.map(signedIntegrity).filter((i): i is string => i !== undefined))];
}

/** File lists by integrity; null where none is stored and no verified bytes are on this machine (or they are unreadable). */
async function manifestsOf(
  integrities: readonly string[],
  npmCacheDir: string,
  store: ManifestStore,
  concurrency: number,
): Promise<Map<string, FileManifest | null>> {
  const found = await pMap(integrities, (integrity) => manifestFor(integrity, npmCacheDir, store).catch(() => null), {
    concurrency: Math.max(1, Math.min(concurrency, 16)),
  });
  return new Map(integrities.map((integrity, i) => [integrity, found[i] ?? null]));
}
