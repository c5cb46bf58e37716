// The trust roots verifyBundle verifies against, as the caller names them: the shipped public-good root,
// trusted_root.json files, or trusted_root.json documents already parsed.
import { VouchError } from '../errors/index.js';
import { loadTrustRoots, PUBLIC_GOOD, publicGoodRoot, trustRootFromBytes, trustRootSet } from '../verify/index.js';
import type { TrustRoot, TrustRootSet } from '../verify/trust-roots.js';

/** 'public-good' (the root vouch ships), a trusted_root.json path, or a parsed trusted_root.json. */
export type TrustedRootInput = 'public-good' | (string & {}) | Record<string, unknown>;

/** Each root once, in the order given (the first that verifies a bundle names it); default public-good alone. */
export function trustRootsOf(inputs: readonly TrustedRootInput[] = [PUBLIC_GOOD]): TrustRootSet {
  if (!Array.isArray(inputs) || inputs.length === 0)
    throw new VouchError('USAGE', 'verifyBundle: trustedRoots must name at least one root (default: public-good)');
  return trustRootSet(inputs.map(rootOf));
}

function rootOf(input: TrustedRootInput, index: number): TrustRoot {
  if (input === PUBLIC_GOOD) return publicGoodRoot();
  if (typeof input === 'string') {
    const [root] = loadTrustRoots([input], { publicGood: false }).roots;
    if (!root) throw new VouchError('TRUSTED_ROOT', `trusted root ${input} could not be loaded`, { file: input });
    return root;
  }
  if (typeof input !== 'object' || input === null)
    throw new VouchError('USAGE', `verifyBundle: trustedRoots[${index}] is neither a path nor a trusted_root.json object`);
  return trustRootFromBytes(`trustedRoots[${index}]`, JSON.stringify(input));
}
