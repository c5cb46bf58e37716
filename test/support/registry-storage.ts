// Where the test registry (Verdaccio + the vouch plugin) keeps what it serves, for tests that tamper
// with it: the tarballs Verdaccio stores, the plugin's signing records (the integrity and signature it
// serves for each version) and its stored attestation responses.
//
// API
//   storedTarball(storage, name, version)     → <storage>/<name>/<unscoped>-<version>.tgz
//   recordsFile(storage, name)                → <storage>/.vouch/records/<encoded name>.json
//                                               ({versions: {<version>: {integrity, keyid, sig, source, attestation?}}})
//   storedAttestations(storage, name, version) → <storage>/.vouch/attestations/<encoded name>/<version>.json
//                                               (the exact /-/npm/v1/attestations response body)
import { join } from 'node:path';

const segment = (text: string): string => encodeURIComponent(text).replace(/^\./, '%2E');

export function storedTarball(storage: string, name: string, version: string): string {
  return join(storage, ...name.split('/'), `${name.replace(/^@[^/]+\//, '')}-${version}.tgz`);
}

export function recordsFile(storage: string, name: string): string {
  return join(storage, '.vouch', 'records', `${segment(name)}.json`);
}

export function storedAttestations(storage: string, name: string, version: string): string {
  return join(storage, '.vouch', 'attestations', segment(name), `${segment(version)}.json`);
}
