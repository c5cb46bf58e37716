// `vouch keygen`: a publisher key pair for `vouch sign`. Prints the key id and the public key, never
// the private key; refuses to overwrite an existing key (exit 2).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ExitCode } from '../../errors/index.js';
import { KEY_TYPES, generateKey, writeKeyPair } from '../../sign/index.js';
import { oneOf, parseFlags } from '../flags.js';
import { FLAGS } from './flag-table.js';
import type { Output } from '../output.js';

export async function run(argv: string[], out: Output): Promise<ExitCode> {
  const { values } = parseFlags(argv, FLAGS.keygen);
  const dir = resolve(values.out ?? defaultKeyDir());
  const type = oneOf('type', values.type, KEY_TYPES, 'ed25519');
  const written = await writeKeyPair(dir, generateKey(type));
  if (existsSync(join(dir, 'package.json'))) {
    out.stderr(`warning: ${dir} is a package folder; make sure ${written.privateKeyFile} is never packed (add it to .npmignore or keep keys elsewhere)`);
  }
  if (values.json) {
    out.stdout(
      JSON.stringify({
        keyid: written.keyid,
        type,
        privateKeyFile: written.privateKeyFile,
        publicKeyFile: written.publicKeyFile,
        publicKey: written.publicKeyPem,
      }),
    );
    return 0;
  }
  out.stdout(
    [
      `Publisher key ${written.keyid} (${type})`,
      `  private key  ${written.privateKeyFile}  (mode 0600: keep it secret; in CI store it as a secret)`,
      `  public key   ${written.publicKeyFile}`,
      '',
      written.publicKeyPem.trimEnd(),
      '',
      'Sign and publish:   vouch publish --key ' + written.privateKeyFile,
      'Consumers pin it in vouch.policy.json:',
      `  "rules": [{ "packages": "<your package>", "publisherKeys": [{ "keyid": "${written.keyid}" }] }]`,
    ].join('\n'),
  );
  return 0;
}

/** ~/.vouch/keys: outside any package folder, so `npm pack` cannot pick the key up. */
function defaultKeyDir(): string {
  return join(homedir(), '.vouch', 'keys');
}
