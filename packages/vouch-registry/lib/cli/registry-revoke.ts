// `vouch registry revoke`: records in the storage that a registry key is compromised. From the next
// start the keys endpoint lists it with `revoked`, and the registry serves nothing signed by it.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { VouchError, parseFlags, FLAGS, type ExitCode, type Output } from '../vouch-core.js';
import { readKeyHistory, withRevocation, writeKeyHistory } from '../key-history.js';
import { logKeyLifecycle } from '../key-lifecycle.js';
import { publishedKey, readKeyFile } from '../keys.js';
import { SigningLog } from '../signing-log.js';
import { DATA_FOLDER } from '../settings.js';

export async function run(argv: string[], out: Output, now = new Date()): Promise<ExitCode> {
  const { values } = parseFlags(argv, FLAGS['registry revoke']);
  if (!values.key) {
    throw new VouchError(
      'USAGE',
      'vouch registry revoke needs --key FILE (the public or private key to revoke)',
      {},
      'vouch registry revoke --storage DIR --key OLD.pem [--at ISO-TIME]',
    );
  }
  const at = values.at === undefined ? now : new Date(values.at);
  if (Number.isNaN(at.getTime())) throw new VouchError('USAGE', `--at must be an ISO 8601 time, got "${values.at}"`);
  const storage = resolve(values.storage ?? '.vouch-registry');
  if (!existsSync(storage)) throw new VouchError('USAGE', `the storage folder ${storage} does not exist`);
  const dataDir = join(storage, DATA_FOLDER);
  const key = publishedKey(readKeyFile(resolve(values.key), 'any'), null);
  const { history, earlier } = withRevocation(readKeyHistory(dataDir), key, at);
  if (!earlier) writeKeyHistory(dataDir, history);
  // The signing log records the revocation too (once), so an audit voids anything the key signs after it.
  logKeyLifecycle(
    SigningLog.open(dataDir),
    dataDir,
    { active: [], retired: [], revoked: [{ keyid: key.keyid, at: earlier?.revoked ?? at.toISOString() }] },
    now,
  );
  const revoked = earlier?.revoked ?? at.toISOString();
  if (values.json) {
    out.stdout(JSON.stringify({ keyid: key.keyid, revoked, already: earlier !== undefined, storage }));
  } else {
    out.stdout(
      [
        earlier
          ? `vouch registry revoke: ${key.keyid} was already revoked ${revoked}; nothing changed.`
          : `vouch registry revoke: ${key.keyid} revoked ${revoked} in ${storage}`,
        'From the next start of the registry:',
        '  - GET /-/npm/v1/keys lists it with "revoked" (and expires 1970-01-01, so npm rejects it too);',
        '  - every registry signature and publish attestation by it is re-signed with the active key when served;',
        '  - the registry refuses to start while it is the active key (rotate to a new key first).',
        `To re-sign everything now instead: vouch registry rotate --storage ${storage} --from ${values.key} --to ACTIVE.pem`,
      ].join('\n'),
    );
  }
  return 0;
}
