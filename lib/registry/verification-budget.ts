// The run's bound on cryptographic work: registry signatures and attestation bundles verified. Each
// package may use its own allowance; past it, it draws on a pool shared by the run. So a run does at most
// PER_PACKAGE × packages + SHARED verifications, whatever a registry serves, and a package within its
// allowance (every package of npm's registry: 1 signature, 2 bundles) never waits on what others spent.

/** Verifications each package may use on its own (documented in docs/verify.md). */
export const VERIFICATIONS_PER_PACKAGE = 4;
/** Verifications the whole run may use beyond the packages' own allowances. */
export const VERIFICATIONS_SHARED = 64;

/** Thrown when a package needs more than its allowance and the shared pool has left. */
export class BudgetExceeded extends Error {
  constructor(readonly units: number) {
    super(
      `needs ${units} more signature or attestation verifications than the run allows ` +
        `(${VERIFICATIONS_PER_PACKAGE} per package plus ${VERIFICATIONS_SHARED} in all): some registry serves far more than it should`,
    );
    this.name = 'BudgetExceeded';
  }
}

export class VerificationBudget {
  private shared = VERIFICATIONS_SHARED;

  /** One package's share: call once per package. */
  forPackage(): PackageBudget {
    let own = VERIFICATIONS_PER_PACKAGE;
    return {
      take: (units) => {
        const fromShared = Math.max(0, units - own);
        if (fromShared > this.shared) throw new BudgetExceeded(fromShared - this.shared);
        own -= units - fromShared;
        this.shared -= fromShared;
      },
    };
  }
}

export interface PackageBudget {
  /** Spends `units` verifications, or throws BudgetExceeded having spent nothing. */
  take(units: number): void;
}
