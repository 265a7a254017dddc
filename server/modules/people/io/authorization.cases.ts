/**
 * Authorization table rows of resident import and export: those who register residents (street staff, community
 * workers, grid workers) get the template, import into their own area and below and read its reports; every reader
 * of the register exports its own area and below (numbers masked).
 */
import type { Role } from '../../../../common/roles';
import { gridAt, type RouteCase } from '../../../test/matrix';
import { memoryUploadStore, uploadStore } from '../../../storage';

const READERS: Role[] = ['leader', 'street_staff', 'community_worker', 'grid_worker'];
const WRITERS: Role[] = ['street_staff', 'community_worker', 'grid_worker'];

export const ioRouteCases: Record<string, RouteCase> = {
  'GET /api/people/import-template': {
    allow: WRITERS,
    scope: 'any',
    call: async () => ({ method: 'GET', url: '/api/people/import-template?format=csv' }),
  },
  'POST /api/people/import': {
    allow: WRITERS,
    scope: 'scoped',
    // A CSV with the header row only: allowed callers get an empty report, nothing is written.
    call: async (a, rel, m) => {
      const grid = gridAt(a.home, rel);
      m.env.ctx.uploads ??= memoryUploadStore();
      return grid
        ? {
            method: 'POST',
            url: `/api/people/import?areaCode=${grid}`,
            payload: Buffer.from('姓名,公民身份号码,居住类型\r\n'),
          }
        : null;
    },
  },
  'GET /api/people/imports/{id}/report': {
    allow: WRITERS,
    scope: 'scoped',
    call: async (a, rel, m) => {
      const grid = gridAt(a.home, rel);
      if (!grid) return null;
      m.env.ctx.uploads ??= memoryUploadStore();
      const id = crypto.randomUUID();
      const report = {
        id,
        areaCode: grid,
        format: 'csv',
        fileSha256: '0'.repeat(64),
        rows: 0,
        created: 0,
        updated: 0,
        unchanged: 0,
        rejected: 0,
        problems: [],
        truncated: false,
        seconds: 0,
      };
      await uploadStore(m.env.ctx).put(
        `imports/${id}.json`,
        Buffer.from(JSON.stringify({ accountId: crypto.randomUUID(), areaPath: grid, report })),
      );
      return { method: 'GET', url: `/api/people/imports/${id}/report?format=csv` };
    },
  },
  'GET /api/residents/export': {
    allow: READERS,
    scope: 'scoped',
    call: async (a, rel) => {
      const grid = gridAt(a.home, rel);
      return grid ? { method: 'GET', url: `/api/residents/export?format=csv&areaCode=${grid}` } : null;
    },
  },
};
