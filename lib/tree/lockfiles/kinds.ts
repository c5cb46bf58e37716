// The lockfile kinds vouch reads (a leaf module: the Node API's declarations import it alone).
export type LockfileKind = 'npm' | 'pnpm' | 'yarn' | 'bun';

export const LOCKFILE_KINDS: readonly LockfileKind[] = ['npm', 'pnpm', 'yarn', 'bun'];
