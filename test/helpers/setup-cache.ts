/**
 * Every test starts with an empty discovery/JWKS cache and no pooled connections, as a new
 * process would: tests change a loopback server's routes between cases.
 */
import { afterAll, beforeEach } from 'vitest';
import { documentCache } from '../../src/sources/http-cache.js';
import { closeHttpAgents } from '../../src/sources/http.js';

beforeEach(() => documentCache.clear());
afterAll(() => closeHttpAgents());
