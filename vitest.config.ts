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
    // A proxy in the developer's environment would route the loopback test servers through it
    // (loopback is not exempt, as in curl): the proxy tests set these themselves. Empty = unset.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', HTTPS_PROXY: '', https_proxy: '', HTTP_PROXY: '', http_proxy: '', NO_PROXY: '', no_proxy: '' },
  },
});
