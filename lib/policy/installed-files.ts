// Findings of `vouch verify --installed` about the files in package folders: a file that differs from
// the verified tarball's, or is missing, is tampering and always denies. A file the tarball does not have
// denies too, unless the package has install scripts npm runs: what those build into the package's own
// folder (node-gyp's build/) is judged by `scriptAddedFiles`. No file list means not checked: a deny.
import type { FolderCheck } from '../installed/check.js';
import type { PackageEvidence } from '../verify/index.js';
import { finding, INVARIANT, label } from './findings.js';
import type { Policy } from './policy.js';
import type { Finding } from './report.js';

/** A folder's check, and whether npm runs install scripts of the package in it (they may have added files there). */
export type InstalledFolder = FolderCheck & { scriptsRun: boolean };

/** Files listed in a message before "and N more". */
const LISTED = 10;

export function installedFileFindings(e: PackageEvidence, folders: ReadonlyMap<string, InstalledFolder>, policy: Policy): Finding[] {
  return e.ref.locations.flatMap((location) => {
    const folder = folders.get(location);
    return folder ? folderFindings(label(e.ref.name, e.ref.version), folder, policy) : [];
  });
}

function folderFindings(id: string, folder: InstalledFolder, policy: Policy): Finding[] {
  const at = `${id} at ${folder.location}`;
  const reinstall = 'reinstall it from the verified tarball (vouch ci), and find out what wrote to node_modules';
  if (folder.kind === 'match') return [];
  if (folder.kind === 'unknown') {
    return [
      finding(
        'INSTALLED_FILES_UNKNOWN',
        'deny',
        `${at}: its files were not checked: ${folder.reason}`,
        INVARIANT.failClosed,
        "run vouch verify --installed once with the registry reachable (or vouch ci) on this machine, or keep vouch's cache folder (<npm cache>/_vouch) in the image",
      ),
    ];
  }
  const out: Finding[] = [];
  const files = (paths: string[]) => list(paths.map((p) => `${folder.location}/${p}`));
  if (folder.modified.length > 0) {
    out.push(
      finding(
        'INSTALLED_FILE_MODIFIED',
        'deny',
        `${at}: ${count(folder.modified, 'file differs', 'files differ')} from the verified tarball: ${files(folder.modified)}`,
        INVARIANT.integrity,
        reinstall,
      ),
    );
  }
  if (folder.missing.length > 0) {
    out.push(
      finding(
        'INSTALLED_FILE_MISSING',
        'deny',
        `${at}: ${count(folder.missing, 'file', 'files')} of the verified tarball ${folder.missing.length === 1 ? 'is' : 'are'} missing: ${files(folder.missing)}`,
        INVARIANT.integrity,
        reinstall,
      ),
    );
  }
  if (folder.added.length > 0) out.push(...addedFindings(at, folder.added, folder.scriptsRun, files(folder.added), policy, reinstall));
  return out;
}

function addedFindings(at: string, added: readonly string[], scriptsRun: boolean, listed: string, policy: Policy, reinstall: string): Finding[] {
  const what = `${count(added, 'file', 'files')} not in the verified tarball: ${listed}`;
  if (!scriptsRun) return [finding('INSTALLED_FILE_ADDED', 'deny', `${at}: ${what}`, INVARIANT.integrity, reinstall)];
  const mode = policy.defaults.scriptAddedFiles;
  if (mode === 'off') return [];
  return [
    finding(
      'INSTALLED_FILE_ADDED',
      mode,
      `${at}: ${what} (the package has install scripts npm runs, which may have created them)`,
      `${policy.defaultsPath}.scriptAddedFiles`,
      'check what its install script builds; "scriptAddedFiles": "off" accepts files install scripts add to their own package',
    ),
  ];
}

const count = (items: readonly string[], one: string, many: string): string => `${items.length} ${items.length === 1 ? one : many}`;

function list(paths: readonly string[]): string {
  const shown = paths.slice(0, LISTED).join(', ');
  return paths.length > LISTED ? `${shown} and ${paths.length - LISTED} more` : shown;
}
