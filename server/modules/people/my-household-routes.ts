/** The resident's own view of the register: GET /api/me/household (thin: the logic is in my-household.ts). */
import { ErrorBody } from '../../../common/schemas/common';
import { MyHouseholds } from '../../../common/schemas/my-household';
import type { RegisterRoutes } from '../index';
import { myHouseholds } from './my-household';

export const myHouseholdRoutes: RegisterRoutes = async (app, ctx) => {
  app.get(
    '/api/me/household',
    {
      schema: {
        tags: ['people'],
        summary:
          "The signed-in resident's household(s) (found by the account's phone number): members with masked numbers, and who (role and unit) viewed, revealed, exported or changed their records, and when",
        security: [{ session: [] }],
        response: { 200: MyHouseholds, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => myHouseholds(ctx, req.requireActor()),
  );
};
