// The keys stage: key ids in the form npm's registry keys use (OpenSSH SHA256 fingerprints), and public keys
// read from a KeyObject, PEM or base64 SPKI DER. Below verify, sign and tlog, which all name keys by these ids.
export { keyIdOf, toPublicKey, sshPublicKeyBlob } from './key-id.js';
