// The run's verification budget: each package's own allowance first, then the shared pool.
import { describe, expect, it } from 'vitest';
import { BudgetExceeded, VERIFICATIONS_PER_PACKAGE, VERIFICATIONS_SHARED, VerificationBudget } from '../../../lib/registry/verification-budget.js';

describe('VerificationBudget', () => {
  it('lets every package use its own allowance, however many others overspent', () => {
    const budget = new VerificationBudget();
    const greedy = budget.forPackage();
    greedy.take(VERIFICATIONS_PER_PACKAGE + VERIFICATIONS_SHARED); // spends the whole shared pool
    for (let i = 0; i < 1000; i++) expect(() => budget.forPackage().take(VERIFICATIONS_PER_PACKAGE)).not.toThrow();
  });

  it('throws BudgetExceeded, having spent nothing, when a package needs more than its allowance and the pool has left', () => {
    const budget = new VerificationBudget();
    const a = budget.forPackage();
    a.take(VERIFICATIONS_PER_PACKAGE + VERIFICATIONS_SHARED - 1);
    const b = budget.forPackage();
    expect(() => b.take(VERIFICATIONS_PER_PACKAGE + 2)).toThrow(BudgetExceeded);
    b.take(VERIFICATIONS_PER_PACKAGE + 1); // the failed take spent nothing: the last shared unit is still there
    expect(() => b.take(1)).toThrow(BudgetExceeded);
    expect(() => a.take(1)).toThrow(BudgetExceeded);
  });

  it('bounds a run to allowance × packages + pool, whatever each package asks', () => {
    const budget = new VerificationBudget();
    let spent = 0;
    for (let i = 0; i < 50; i++) {
      const share = budget.forPackage();
      for (const units of [16, 3, 1, 1, 16]) {
        try {
          share.take(units);
          spent += units;
        } catch (err) {
          expect(err).toBeInstanceOf(BudgetExceeded);
        }
      }
    }
    expect(spent).toBeLessThanOrEqual(50 * VERIFICATIONS_PER_PACKAGE + VERIFICATIONS_SHARED);
    expect(spent).toBeGreaterThanOrEqual(50 * VERIFICATIONS_PER_PACKAGE);
  });
});
