import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30000,
    setupFiles: ['test/helpers/setup-cache.ts'],
    hookTimeout: 60000,
    reporters: ['default'],
    // Test worlds build their own SDK clients; the product turns the Node 20 notice off in loadSdk.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
