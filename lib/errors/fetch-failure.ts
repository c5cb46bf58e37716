// A registry request that failed, classified. The registry stage throws it; arborist carries it out of the
// tree build (lib/registry/tree-packuments.ts answers arborist's packument requests), so the tree stage
// classifies it too: it lives here, below both.

export type FetchFailureCode = 'NOT_FOUND' | 'REGISTRY_UNREACHABLE' | 'REGISTRY_ERROR' | 'OFFLINE_MISS' | 'TOO_LARGE' | 'BAD_BODY';

/** A classified fetch failure: the evidence stage turns it into a finding, never a pass. */
export class FetchFailure extends Error {
  constructor(
    readonly code: FetchFailureCode,
    message: string,
    readonly url: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'FetchFailure';
  }
}
