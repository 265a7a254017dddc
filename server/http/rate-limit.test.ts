import { describe, expect, it } from 'vitest';
import { startTestApp } from '../test/harness';

describe('the rate limit', () => {
  it('counts requests per address, but not the web app’s own files', async () => {
    const env = await startTestApp({ rateLimitPerMinute: 3 });
    try {
      // A page load fetches dozens of chunks: they never use up the allowance.
      for (let i = 0; i < 6; i++) {
        const res = await env.app.inject({ method: 'GET', url: `/assets/chunk-${i}.js` });
        expect(res.statusCode).not.toBe(429);
      }
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await env.app.inject({ method: 'GET', url: '/healthz' });
        codes.push(res.statusCode);
      }
      expect(codes).toEqual([200, 200, 200, 429, 429]);
    } finally {
      await env.close();
    }
  });
});
