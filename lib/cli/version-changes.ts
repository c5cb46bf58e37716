// Gathers, for every package an update changes, the views of the new version and of the one it replaces
// (lib/tree/version-change.ts): the lockfile being replaced, vouch.lock, arborist's manifest, the verified
// tarball's own package.json and binding.gyp, and the full packument. Plain data for the pure change
// alerts in lib/policy/change-alerts.ts; reads nothing of the project but the lockfile, writes nothing.
import type { Node, Tree } from '@npmcli/arborist';
import { isScriptAllowed } from '@npmcli/arborist/lib/script-allowed.js';
import pMap from 'p-map';
import type { AllowScriptsPolicy } from '../config/allow-scripts.js';
import type { Lock } from '../lock/types.js';
import { releaseRecords } from '../registry/index.js';
import type { HttpOptions } from '../registry/http.js';
import { binNames, manifestView, packageKey, predecessorsOf, readReplacedLockfile, scriptsInBytes } from '../tree/index.js';
import type { ContentsOf } from '../tree/script-review.js';
import type { PackageRef } from '../tree/types.js';
import type { Predecessor, ReleaseView, VersionChange } from '../tree/version-change.js';

export interface ChangeGathering {
  changes: VersionChange[];
  /** Said once per run when some views could not be read. */
  notices: string[];
}

/** The updates among `packages` (those with a predecessor), each with every view vouch has of both versions. */
export async function gatherVersionChanges(
  tree: Tree,
  packages: readonly PackageRef[],
  lock: Lock,
  contentsOf: ContentsOf,
  flat: Record<string, unknown>,
  http: HttpOptions,
  concurrency: number,
): Promise<ChangeGathering> {
  const replaced = await readReplacedLockfile(tree.path);
  const updates = packages.flatMap((ref) => {
    const predecessors = predecessorsOf(ref, replaced, lock);
    return predecessors.length > 0 ? [{ ref, predecessors }] : [];
  });
  const unread: string[] = [];
  const changes = await pMap(
    updates,
    async ({ ref, predecessors }) => {
      const records = await releaseRecords(ref.name, ref.registry, [ref.version, ...predecessors.map((p) => p.version)], http).catch(() => {
        unread.push(packageKey(ref.name, ref.version));
        return new Map<string, ReleaseView>();
      });
      const nodes = ref.locations.map((l) => tree.inventory.get(l)).filter((n): n is Node => n !== undefined);
      const after = afterViews(nodes, contentsOf, records.get(ref.version));
      const scripts = scriptFate(nodes, flat);
      return predecessors.map(
        (p): VersionChange => ({
          name: ref.name,
          version: ref.version,
          from: p.version,
          fromSource: p.source,
          before: beforeViews(p, records.get(p.version)),
          after,
          scripts,
        }),
      );
    },
    { concurrency: Math.max(1, concurrency) },
  );
  const notices =
    unread.length === 0
      ? []
      : [
          `change alerts: the registry's record (full packument) of ${unread.sort().join(', ')} could not be read; their install scripts, bins and dependencies were compared from the lockfile and the verified bytes only, publisher and release time not at all`,
        ];
  return { changes: changes.flat(), notices };
}

/** The new version: arborist's manifest (packument or lockfile), its verified tarball, the full packument. */
function afterViews(nodes: readonly Node[], contentsOf: ContentsOf, record: ReleaseView | undefined): ReleaseView[] {
  const views: ReleaseView[] = [];
  for (const node of nodes) {
    views.push(manifestView("arborist's manifest", node.package as Record<string, unknown>, { scriptText: false }));
    const contents = node.isLink ? undefined : contentsOf(node);
    if (contents) {
      const bins = [...binNames(contents.manifest), ...contents.binDirFiles.map((f) => f.slice(f.lastIndexOf('/') + 1))];
      views.push({
        ...manifestView('verified tarball', contents.manifest),
        scripts: scriptsInBytes(contents, node.package as Record<string, unknown>),
        bins: [...new Set(bins)].sort(),
      });
    }
  }
  if (record) views.push(record);
  return views;
}

/** The replaced version: its lockfile entry (when the lockfile held it) and the full packument. */
function beforeViews(p: Predecessor, record: ReleaseView | undefined): ReleaseView[] {
  const views: ReleaseView[] = [];
  // A lockfile writes hasInstallScript only when true: its absence says "none".
  if (p.entry) views.push({ ...manifestView(p.source, p.entry, { scriptText: false }), hasInstallScript: p.entry['hasInstallScript'] === true });
  if (record) views.push(record);
  return views;
}

/** Whether npm would run the new version's install scripts: allowScripts and strict-allow-scripts decide. */
function scriptFate(nodes: readonly Node[], flat: Record<string, unknown>): VersionChange['scripts'] {
  const policy = (flat['allowScripts'] ?? null) as AllowScriptsPolicy | null;
  const verdicts = nodes.map((n) => isScriptAllowed(n, policy));
  const approved = verdicts.some((v) => v === true);
  const strict = flat['strictAllowScripts'] === true;
  const runs = verdicts.some((v) => v === true || (v === null && !strict));
  return { runs: runs || nodes.length === 0, approved };
}
