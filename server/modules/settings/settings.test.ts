import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import {
  FIXTURE,
  createStaff,
  login,
  seedFixtureAreas,
  startTestApp,
  type TestEnv,
} from '../../test/harness';

const TILES = 'https://tiles.example.org/{z}/{x}/{y}.png?key=k1';

describe('LINLI_MAP_TILE_URL', () => {
  it('accepts an http(s) template with {z}, {x} and {y}, and keeps the attribution', () => {
    const c = loadConfig({ LINLI_MAP_TILE_URL: TILES, LINLI_MAP_TILE_ATTRIBUTION: ' © 某地图 ' });
    expect(c.mapTileUrl).toBe(TILES);
    expect(c.mapTileAttribution).toBe('© 某地图');
    expect(loadConfig({ LINLI_MAP_TILE_URL: 'http://127.0.0.1:8080/t/{z}/{y}/{x}' }).mapTileUrl).toBe(
      'http://127.0.0.1:8080/t/{z}/{y}/{x}',
    );
  });

  it('is off when unset or empty', () => {
    expect(loadConfig({}).mapTileUrl).toBeNull();
    expect(loadConfig({ LINLI_MAP_TILE_URL: '  ' }).mapTileUrl).toBeNull();
  });

  it('refuses at start what is not an http(s) template, saying why', () => {
    const bad: [string, RegExp][] = [
      ['javascript:alert(1)//{z}/{x}/{y}', /protocol javascript:/],
      ['data:image/png;base64,{z}{x}{y}', /protocol data:/],
      ['ftp://tiles.example.org/{z}/{x}/{y}.png', /protocol ftp:/],
      ['https://tiles.example.org/{z}/{x}.png', /\{y\} is missing/],
      ['tiles/{z}/{x}/{y}.png', /not a URL/],
      ['https://{z}.tiles.example.org/{x}/{y}.png', /placeholder in the host/],
      ['https://user:pw@tiles.example.org/{z}/{x}/{y}.png', /credentials/],
    ];
    for (const [url, why] of bad) {
      expect(() => loadConfig({ LINLI_MAP_TILE_URL: url })).toThrow(
        /LINLI_MAP_TILE_URL must be an http\(s\)/,
      );
      expect(() => loadConfig({ LINLI_MAP_TILE_URL: url })).toThrow(why);
    }
  });
});

describe('GET /api/settings/map', () => {
  let plain: TestEnv;
  let tiled: TestEnv;
  beforeAll(async () => {
    plain = await startTestApp();
    tiled = await startTestApp({ mapTileUrl: TILES, mapTileAttribution: '© 测试图源' });
    for (const env of [plain, tiled]) {
      await seedFixtureAreas(env.ctx);
      await createStaff(env.ctx, 'map.grid', 'grid_worker', { areaCode: FIXTURE.gridA1a });
    }
  });
  afterAll(async () => {
    await plain?.close();
    await tiled?.close();
  });

  it('answers null tiles when none are configured', async () => {
    const s = await login(plain.app, 'map.grid');
    const res = await plain.app.inject({ method: 'GET', url: '/api/settings/map', headers: s.headers });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ tiles: null });
    // Without a tile server the pages load images from their own origin only.
    expect(res.headers['content-security-policy']).toContain("img-src 'self' data:;");
  });

  it('gives the template and attribution to a signed-in account, and lets the pages load its images', async () => {
    const s = await login(tiled.app, 'map.grid');
    const res = await tiled.app.inject({ method: 'GET', url: '/api/settings/map', headers: s.headers });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ tiles: { url: TILES, attribution: '© 测试图源' } });
    expect(res.headers['content-security-policy']).toContain(
      "img-src 'self' data: https://tiles.example.org;",
    );
  });

  it('asks anonymous callers to sign in', async () => {
    expect((await tiled.app.inject({ method: 'GET', url: '/api/settings/map' })).statusCode).toBe(401);
  });
});
