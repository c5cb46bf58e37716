// npm ci's rule: package.json and package-lock.json must describe the same tree, or nothing installs.
import { join } from 'node:path';
import type { Node, Tree } from '@npmcli/arborist';
import { VouchError } from '../errors/index.js';

/**
 * Throws LOCKFILE_OUT_OF_SYNC (exit 2) when the ideal tree arborist built from the lockfile differs from
 * the lockfile itself (`locked`: the inventory loadVirtual read, copied before buildIdealTree ran).
 */
export function assertLockfileInSync(locked: ReadonlyMap<string, Node>, ideal: Tree, cwd: string): void {
  const drift: string[] = [];
  for (const [location, node] of ideal.inventory) {
    const before = locked.get(location);
    if (!before || before.version !== node.version) {
      drift.push(`${location || '(root)'} ${before?.version ?? 'missing'} → ${node.version}`);
    }
  }
  if (drift.length > 0) {
    throw new VouchError(
      'LOCKFILE_OUT_OF_SYNC',
      `package.json and package-lock.json are not in sync (${drift.length} differences: ${drift.slice(0, 5).join('; ')})`,
      { file: join(cwd, 'package-lock.json') },
      'run `vouch install` to update the lockfile, then commit it',
    );
  }
}
