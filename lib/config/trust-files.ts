// Where vouch's trust material is read from: a copy refreshed by `vouch trust-root update` (verified
// through Sigstore's TUF repository) in the user's data folder when there is one, else the snapshot
// shipped in trust/.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from './package-root.js';

export type TrustFile = 'public-good.trusted_root.json' | 'npm-registry-keys.json';

/** vouch's per-user data folder: $VOUCH_DATA_DIR, else $XDG_DATA_HOME/vouch, else ~/.local/share/vouch. */
export function vouchDataDir(env = process.env): string {
  return env.VOUCH_DATA_DIR ?? join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'vouch');
}

/** The refreshed copy of a trust file when `vouch trust-root update` wrote one, else the shipped one. */
export function trustFilePath(name: TrustFile, env = process.env): string {
  const updated = join(vouchDataDir(env), 'trust', name);
  return existsSync(updated) ? updated : packagePath('trust', name);
}
