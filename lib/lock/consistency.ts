// vouch.lock against itself: every version line names the identity it was accepted under, and that
// identity must be the pin or one an approval names; the approvals must chain to the pin. A line copied
// from another project, or a pin edited by hand, breaks one of these, and no value an attacker can
// compute from public data repairs it without an approval entry a reviewer sees. docs/lock.md.
import { approvalIdentities, identityDigest, identityExtends } from '../policy/index.js';
import type { PathSegment } from '../files/json-file.js';
import type { Lock, LockIdentity, LockPackage } from './types.js';

export interface LockInconsistency {
  path: PathSegment[];
  message: string;
}

/** Every place where vouch.lock contradicts itself. Pure. */
export function lockInconsistencies(lock: Lock): LockInconsistency[] {
  return Object.entries(lock.packages).flatMap(([name, pkg]) => [...versionLineProblems(name, pkg), ...approvalChainProblems(name, pkg)]);
}

function versionLineProblems(name: string, pkg: LockPackage): LockInconsistency[] {
  const named = new Set([...(pkg.identity ? [pkg.identity] : []), ...approvalIdentities(pkg)].map(identityDigest));
  const out: LockInconsistency[] = [];
  for (const [version, line] of Object.entries(pkg.versions)) {
    const path = ['packages', name, 'versions', version];
    if (line.attested !== undefined && line.identity === undefined) {
      out.push({ path, message: `records an attested version without the identity it was accepted under ("identity"): vouch writes both` });
    } else if (line.identity !== undefined && line.attested === undefined) {
      out.push({ path, message: `names an identity but no attestation ("attested"): vouch writes both` });
    } else if (line.identity !== undefined && !named.has(line.identity)) {
      out.push({
        path,
        message: `was accepted under an identity that neither the pin (packages.${name}.identity) nor any approval names: the pin or this line did not come from vouch`,
      });
    }
  }
  return out;
}

/** Each approval starts from what the one before pinned, and the pin is what the last one pinned (or more). */
function approvalChainProblems(name: string, pkg: LockPackage): LockInconsistency[] {
  const out: LockInconsistency[] = [];
  const approvals = pkg.approvals ?? [];
  let pinned: { identity: LockIdentity; index: number } | undefined;
  approvals.forEach((a, index) => {
    if (pinned && a.from && !identityExtends(pinned.identity, a.from)) {
      out.push({ path: ['packages', name, 'approvals', index, 'from'], message: `is not the identity approvals[${pinned.index}] pinned` });
    }
    if (a.to) pinned = { identity: a.to, index };
  });
  if (pinned && (!pkg.identity || !identityExtends(pinned.identity, pkg.identity))) {
    out.push({
      path: ['packages', name, 'identity'],
      message: `is not the identity the last approval (approvals[${pinned.index}].to) pinned, and no approval records the change`,
    });
  }
  return out;
}
