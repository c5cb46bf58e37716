// Go's golang.org/x/mod/sumdb/note private key strings (PRIVATE+KEY+name+id+base64(0x01 || seed)), as the
// reference vectors in fixtures/real/ give them, turned into node keys.
import { createPrivateKey, type KeyObject } from 'node:crypto';

/** The Ed25519 PKCS#8 DER prefix before the 32-byte seed. */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

export function goPrivateKey(skey: string): { name: string; key: KeyObject } {
  const [, , name, , ...rest] = skey.split('+'); // the base64 key may hold "+"
  const seed = Buffer.from(rest.join('+'), 'base64').subarray(1);
  if (!name || seed.length !== 32) throw new Error(`not a Go note private key: ${skey.slice(0, 40)}`);
  return { name, key: createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' }) };
}
