// The vouch Verdaccio plugin: turns a Verdaccio 6 registry into a signing registry that speaks npm's
// protocol (GET /-/npm/v1/keys, dist.signatures on every version, attestations). List it under both
// `middlewares:` and `filters:` (see docs/registry-plugin.md). Verdaccio loads it with require()
// through plugins/verdaccio-vouch/index.cjs; this module's default export is the plugin class.
import { VouchError } from './vouch-core.js';
import { attestationsPath } from './attestations.js';
import { signManifest } from './filter.js';
import { currentOrigin, originOf, runWithOrigin, type PluginApp } from './http.js';
import { PUBLISH_ROUTE, publishRoute } from './publish.js';
import {
  ATTESTATIONS_ROUTE_PATTERN,
  KEYS_ROUTE,
  LOG_ROUTE_PATTERN,
  attestationsRoute,
  keysRoute,
  logRoute,
  trustedRootRoute,
  type VerdaccioAuthView,
} from './routes.js';
import { TRUSTED_ROOT_ROUTE } from './trusted-root.js';
import { readSettings, type VerdaccioConfigView } from './settings.js';
import { sha512IntegrityOfStream } from './signing.js';
import { stateFor, type Logger, type PluginState, type VerdaccioStorageView } from './state.js';

export default class VouchRegistryPlugin {
  private readonly state: PluginState;

  /** `section` is Verdaccio's merge of its whole config with this plugin's section. */
  constructor(section: Record<string, unknown>, options: { config: VerdaccioConfigView; logger: Logger }) {
    try {
      this.state = stateFor(readSettings(section, options.config), options.logger);
    } catch (err) {
      // Verdaccio only logs a plugin that fails to load, then starts without it: say why, loudly.
      const message = err instanceof Error ? err.message : String(err);
      options.logger.error({ err: message }, 'vouch registry plugin NOT loaded, registry is not signing: @{err}');
      throw err;
    }
  }

  register_middlewares(app: PluginApp, auth: VerdaccioAuthView, storage: VerdaccioStorageView): void {
    if (Array.isArray(storage.filters) && !storage.filters.some((f) => f instanceof VouchRegistryPlugin)) {
      throw new VouchError(
        'CONFIG',
        'the vouch plugin is listed under middlewares but not under filters',
        {},
        'add `filters: { vouch: {} }` to the Verdaccio config: the filter is what signs',
      );
    }
    this.state.storage = storage;
    app.use((req, _res, next) => runWithOrigin(this.state.settings.registryUrl ?? originOf(req), next));
    app.get(KEYS_ROUTE, keysRoute(this.state));
    app.get(LOG_ROUTE_PATTERN, logRoute(this.state));
    app.get(TRUSTED_ROOT_ROUTE, trustedRootRoute(this.state));
    app.get(ATTESTATIONS_ROUTE_PATTERN, attestationsRoute(this.state, auth));
    app.put(PUBLISH_ROUTE, publishRoute(this.state));
  }

  async filter_metadata(manifest: unknown): Promise<unknown> {
    const state = this.state;
    return signManifest(manifest, {
      ring: state.ring,
      records: state.records,
      inflight: state.inflight,
      hashStoredTarball: (name, filename) => hashStoredTarball(state, name, filename),
      attestationsUrl: (name, version) => `${currentOrigin() ?? 'http://localhost'}${attestationsPath(name, version)}`,
      onError: (message, err) => state.logger.error({ err: String(err) }, `vouch: ${message}: @{err}`),
    });
  }
}

/** Reads through Verdaccio's local storage, not Storage.getTarball, which would run this filter again. */
async function hashStoredTarball(state: PluginState, name: string, filename: string): Promise<string> {
  const local = state.storage?.localStorage;
  if (typeof local?.getTarball !== 'function') throw new Error('Verdaccio storage is not available to the plugin');
  return sha512IntegrityOfStream(local.getTarball(name, filename));
}
