import { defineConfig } from 'vitest/config';

// `vitest --project unit` is the fast loop; `npm test` runs both projects.
export default defineConfig({
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
