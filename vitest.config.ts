import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `vitest --project unit` is the fast loop; `npm test` runs both projects.
export default defineConfig({
  resolve: {
    // vouch-registry imports vouch as `vouch/dist/lib/…` (its package's peer); under test that is vouch's
    // own source, so both sides share one module graph (one VouchError class) and need no build.
    alias: [{ find: /^vouch\/dist\/lib\/(.*)\.js$/, replacement: fileURLToPath(new URL('./lib/$1.ts', import.meta.url)) }],
  },
  test: {
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'registry',
          include: ['test/{registry,cli,adversarial}/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
