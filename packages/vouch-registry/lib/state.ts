// State shared by the plugin's two instances: Verdaccio creates one for `filters:` and one for
// `middlewares:` from the same module. They meet here, keyed by storage folder and key settings,
// so both sign with the same key ring and see the same stores.
import { join } from 'node:path';
import { AttestationStore } from './attestations.js';
import { readKeyHistory } from './key-history.js';
import { logKeyLifecycle } from './key-lifecycle.js';
import { loadKeyRing, type KeyRing } from './keys.js';
import { RecordStore, type VersionRecord } from './records.js';
import { logVersionSigned, SigningLog } from './signing-log.js';
import { loadPolicyRoots } from './publish-gate.js';
import type { TrustRootSet } from './vouch-core.js';
import type { PluginSettings } from './settings.js';
import { Witnessing } from './witnessing.js';

/** What the plugin needs from Verdaccio's v6 Storage: an unfiltered read of a stored tarball. */
export interface VerdaccioStorageView {
  localStorage?: { getTarball?(name: string, filename: string): AsyncIterable<unknown> };
  filters?: unknown;
}

export interface Logger {
  error(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

export interface PluginState {
  settings: PluginSettings;
  ring: KeyRing;
  records: RecordStore;
  attestations: AttestationStore;
  /** Every signing event, appended before what it signed is served (signing-log.ts). */
  log: SigningLog;
  /** Submits each checkpoint to the configured witnesses and keeps their cosignatures (witnessing.ts). */
  witnessing: Witnessing;
  logger: Logger;
  /** The trusted roots of the publish policy (loaded once); undefined without a policy. */
  policyRoots: TrustRootSet | undefined;
  /** Set when the middleware instance is registered; the filter needs it for lazy signing. */
  storage: VerdaccioStorageView | undefined;
  /** Lazy signings under way, so concurrent requests hash a tarball once. */
  inflight: Map<string, Promise<VersionRecord>>;
}

const states = new Map<string, PluginState>();
/** Under `<storage>/.vouch/`: per witness, its newest cosignature lines and the checkpoint they are for. */
export const WITNESS_RECORDS_FILE = 'witness-cosignatures.json';

/**
 * The state for these settings; a restart with other keys (rotation) gets a fresh one. The storage's
 * key history (revocations, endorsements) is read here, once per start.
 */
export function stateFor(settings: PluginSettings, logger: Logger): PluginState {
  const id = JSON.stringify([settings.storageDir, settings.keys, settings.registryUrl, settings.witnesses, settings.publishPolicy]);
  let state = states.get(id);
  if (!state) {
    const log = SigningLog.open(settings.dataDir);
    const ring = loadKeyRing(settings.keys, readKeyHistory(settings.dataDir));
    logKeyLifecycle(log, settings.dataDir, ringFacts(ring), new Date());
    const witnessing = new Witnessing(log, settings.witnesses, join(settings.dataDir, WITNESS_RECORDS_FILE), logger);
    state = {
      settings,
      ring,
      records: new RecordStore(join(settings.dataDir, 'records'), logVersionSigned(log)),
      log,
      witnessing,
      attestations: new AttestationStore(join(settings.dataDir, 'attestations')),
      logger,
      policyRoots: settings.publishPolicy ? loadPolicyRoots(settings.publishPolicy) : undefined,
      storage: undefined,
      inflight: new Map(),
    };
    states.set(id, state);
  }
  return state;
}

/** The ring as the signing log records it: the active key, the retired ones, the revoked ones. */
function ringFacts(ring: KeyRing): Parameters<typeof logKeyLifecycle>[2] {
  return {
    active: [ring.active.keyid],
    retired: ring.keys.filter((k) => k.keyid !== ring.active.keyid && !k.revoked).map((k) => k.keyid),
    revoked: ring.keys.flatMap((k) => (k.revoked ? [{ keyid: k.keyid, at: k.revoked.toISOString() }] : [])),
  };
}
