/** The list of domain modules whose routes the app mounts. */
import type { AppContext } from '../context';
import type { App } from '../http/types';
import { authRoutes } from './accounts/auth-routes';
import { accountAdminRoutes } from './accounts/admin-routes';
import { areaRoutes } from './areas/routes';
import { auditRoutes } from './audit/routes';
import { categoryRoutes } from './categories/routes';
import { calendarRoutes } from './calendar/routes';
import { caseRoutes } from './cases/routes';
import { notificationRoutes } from './notifications/routes';
import { apiKeyRoutes } from './open311/apikey-routes';
import { open311Routes } from './open311/routes';
import { statsRoutes } from './stats/routes';
import { peopleRoutes } from './people/routes';
import { peopleIoRoutes } from './people/io/routes';
import { myHouseholdRoutes } from './people/my-household-routes';
import { housingRoutes } from './housing/routes';
import { visitRoutes } from './visits/routes';
import { tagRoutes } from './tags/routes';
import { settingsRoutes } from './settings/routes';

export type RegisterRoutes = (app: App, ctx: AppContext) => Promise<void>;

export const MODULE_ROUTES: RegisterRoutes[] = [
  authRoutes,
  accountAdminRoutes,
  areaRoutes,
  auditRoutes,
  categoryRoutes,
  calendarRoutes,
  caseRoutes,
  notificationRoutes,
  apiKeyRoutes,
  open311Routes,
  statsRoutes,
  peopleRoutes,
  peopleIoRoutes,
  myHouseholdRoutes,
  housingRoutes,
  visitRoutes,
  tagRoutes,
  settingsRoutes,
];
