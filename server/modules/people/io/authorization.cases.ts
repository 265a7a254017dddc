/**
 * Authorization table rows of resident import and export: those who register residents (street staff, community
 * workers, grid workers) get the template, import into their own area and below and read its reports; every reader
 * of the register exports its own area and below (numbers masked).
 */
import type { Role } from '../../../../common/roles';
import { memoryUploadStore, uploadStore } from '../../../storage';
import type { RouteCase } from '../../../test/matrix';
import { anywhere, get, gridOf, inGrid, on, post } from '../../../test/route-cases';

const READERS: Role[] = ['leader', 'street_staff', 'community_worker', 'grid_worker'];
const WRITERS: Role[] = ['street_staff', 'community_worker', 'grid_worker'];

/** An import report kept for the grid at the relation (by another account). */
const report = inGrid(async (grid, m) => {
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
  return id;
});

export const ioRouteCases: Record<string, RouteCase> = {
  'GET /api/people/import-template': anywhere(WRITERS, () => get('/api/people/import-template?format=csv')),
  // A CSV with the header row only: allowed callers get an empty report, nothing is written.
  'POST /api/people/import': on(
    WRITERS,
    (a, rel, m) => {
      m.env.ctx.uploads ??= memoryUploadStore();
      return gridOf(a, rel);
    },
    (grid) => post(`/api/people/import?areaCode=${grid}`, Buffer.from('姓名,公民身份号码,居住类型\r\n')),
  ),
  'GET /api/people/imports/{id}/report': on(WRITERS, report, (id) =>
    get(`/api/people/imports/${id}/report?format=csv`),
  ),
  'GET /api/residents/export': on(READERS, gridOf, (grid) =>
    get(`/api/residents/export?format=csv&areaCode=${grid}`),
  ),
};
