/** Routes of the web app, and the guards that send visitors to login or to the forced password change. */
import { lazy, Suspense, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { Spin } from 'antd';
import { LocaleProvider } from './i18n';
import { ThemeProvider } from './theme';
import { SessionProvider, useSession } from './session';
import { AppShell } from './components/AppShell';
import { ErrorResult, NotFound } from './components/ErrorResult';

const LoginPage = lazy(() => import('./modules/auth/LoginPage'));
const ForcedPasswordPage = lazy(() => import('./modules/auth/ForcedPasswordPage'));
const ForcedTotpPage = lazy(() => import('./modules/auth/ForcedTotpPage'));
const ProfilePage = lazy(() => import('./modules/auth/ProfilePage'));
const HomePage = lazy(() => import('./modules/home/HomePage'));
const AreasPage = lazy(() => import('./modules/areas/AreasPage'));
const AccountsPage = lazy(() => import('./modules/accounts/AccountsPage'));
const SessionsPage = lazy(() => import('./modules/accounts/SessionsPage'));
const AuditPage = lazy(() => import('./modules/audit/AuditPage'));
const CalendarPage = lazy(() => import('./modules/calendar/CalendarPage'));
const CategoriesPage = lazy(() => import('./modules/categories/CategoriesPage'));
const WorkListPage = lazy(() => import('./modules/cases/WorkListPage'));
const CaseListPage = lazy(() => import('./modules/cases/CaseListPage'));
const CaseDetailPage = lazy(() => import('./modules/cases/CaseDetailPage'));
const IntakePage = lazy(() => import('./modules/cases/IntakePage'));
const GridMapPage = lazy(() => import('./modules/cases/GridMapPage'));
const ReportPage = lazy(() => import('./modules/resident/ReportPage'));
const MyCasesPage = lazy(() => import('./modules/resident/MyCasesPage'));
const MyHouseholdPage = lazy(() => import('./modules/resident/MyHouseholdPage'));
const MyCaseDetailPage = lazy(() => import('./modules/resident/MyCaseDetailPage'));
const TrackPage = lazy(() => import('./modules/track/TrackPage'));
const InboxPage = lazy(() => import('./modules/notifications/InboxPage'));
const StatsPage = lazy(() => import('./modules/stats/StatsPage'));
const ApiKeysPage = lazy(() => import('./modules/apikeys/ApiKeysPage'));
const HouseholdsPage = lazy(() => import('./modules/people/HouseholdsPage'));
const HouseholdPage = lazy(() => import('./modules/people/HouseholdPage'));
const ResidentPage = lazy(() => import('./modules/people/ResidentPage'));
const ImportPage = lazy(() => import('./modules/people/ImportPage'));
const FocusGroupsPage = lazy(() => import('./modules/tags/FocusGroupsPage'));
const MyVisitsPage = lazy(() => import('./modules/visits/MyVisitsPage'));
const VisitLedgerPage = lazy(() => import('./modules/visits/LedgerPage'));
const VisitRulesPage = lazy(() => import('./modules/visits/RulesPage'));
const TagsAdminPage = lazy(() => import('./modules/tags/TagsAdminPage'));
const HousingPage = lazy(() => import('./modules/housing/HousingPage'));
const BuildingPage = lazy(() => import('./modules/housing/BuildingPage'));
const HousingMapPage = lazy(() => import('./modules/housing/HousingMapPage'));

function FullPageSpin() {
  return (
    <div className="full-page-center">
      <Spin size="large" />
    </div>
  );
}

/** Where the login page should return to after signing in. */
export interface LoginLocationState {
  from?: string;
}

/** What a restricted session must do before anything else, in the server's order: password, then TOTP. */
type Gate = 'password' | 'totp';
const GATE_PATHS: Record<Gate, string> = { password: '/change-password', totp: '/setup-totp' };

/**
 * Renders children only for a signed-in account. Without `gate`, only for one that owes nothing;
 * with a gate, only while the account still owes exactly that step.
 */
function RequireAuth({ children, gate }: { children: ReactNode; gate?: Gate }) {
  const { state, refresh } = useSession();
  const location = useLocation();
  if (state.status === 'loading') return <FullPageSpin />;
  if (state.status === 'error')
    return <ErrorResult error={state.error} onRetry={() => void refresh().catch(() => {})} />;
  if (state.status === 'anonymous') {
    const from: LoginLocationState = { from: location.pathname + location.search };
    return <Navigate to="/login" replace state={from} />;
  }
  const { mustChangePassword, totpSetupRequired } = state.me.account;
  const owed: Gate | undefined = mustChangePassword ? 'password' : totpSetupRequired ? 'totp' : undefined;
  if (owed !== gate) return <Navigate to={owed ? GATE_PATHS[owed] : '/'} replace />;
  return <>{children}</>;
}

/** The login page, which a signed-in account skips. */
function LoginRoute() {
  const { state } = useSession();
  const location = useLocation();
  if (state.status === 'loading') return <FullPageSpin />;
  if (state.status === 'authenticated') {
    const from = (location.state as LoginLocationState | null)?.from;
    return <Navigate to={from && from !== '/login' ? from : '/'} replace />;
  }
  return (
    <Suspense fallback={<FullPageSpin />}>
      <LoginPage />
    </Suspense>
  );
}

export function App() {
  return (
    <LocaleProvider>
      <ThemeProvider>
        <SessionProvider>
          <BrowserRouter>
            <Routes>
              <Route path="/login" element={<LoginRoute />} />
              <Route
                path="/track"
                element={
                  <Suspense fallback={<FullPageSpin />}>
                    <TrackPage />
                  </Suspense>
                }
              />
              <Route
                path="/change-password"
                element={
                  <RequireAuth gate="password">
                    <Suspense fallback={<FullPageSpin />}>
                      <ForcedPasswordPage />
                    </Suspense>
                  </RequireAuth>
                }
              />
              <Route
                path="/setup-totp"
                element={
                  <RequireAuth gate="totp">
                    <Suspense fallback={<FullPageSpin />}>
                      <ForcedTotpPage />
                    </Suspense>
                  </RequireAuth>
                }
              />
              <Route
                element={
                  <RequireAuth>
                    <AppShell />
                  </RequireAuth>
                }
              >
                <Route index element={<HomePage />} />
                <Route path="areas/:code?" element={<AreasPage />} />
                <Route path="grids/:code?" element={<AreasPage gridMode />} />
                <Route path="accounts" element={<AccountsPage />} />
                <Route path="sessions" element={<SessionsPage />} />
                <Route path="audit" element={<AuditPage />} />
                <Route path="calendar" element={<CalendarPage />} />
                <Route path="categories" element={<CategoriesPage />} />
                <Route path="work" element={<WorkListPage />} />
                <Route path="cases" element={<CaseListPage />} />
                <Route path="cases/new" element={<IntakePage />} />
                <Route path="cases/map" element={<GridMapPage />} />
                <Route path="cases/:id" element={<CaseDetailPage />} />
                <Route path="report" element={<ReportPage />} />
                <Route path="my-cases" element={<MyCasesPage />} />
                <Route path="my-cases/:id" element={<MyCaseDetailPage />} />
                <Route path="my-household" element={<MyHouseholdPage />} />
                <Route path="inbox" element={<InboxPage />} />
                <Route path="stats" element={<StatsPage />} />
                <Route path="apikeys" element={<ApiKeysPage />} />
                <Route path="households" element={<HouseholdsPage />} />
                <Route path="households/:id" element={<HouseholdPage />} />
                <Route path="people/import" element={<ImportPage />} />
                <Route path="residents/:id" element={<ResidentPage />} />
                <Route path="focus-groups" element={<FocusGroupsPage />} />
                <Route path="visits" element={<MyVisitsPage />} />
                <Route path="visits/ledger" element={<VisitLedgerPage />} />
                <Route path="visits/rules" element={<VisitRulesPage />} />
                <Route path="tags" element={<TagsAdminPage />} />
                <Route path="housing" element={<HousingPage />} />
                <Route path="housing/map" element={<HousingMapPage />} />
                <Route path="housing/buildings/:id" element={<BuildingPage />} />
                <Route path="me" element={<ProfilePage />} />
                <Route path="*" element={<NotFound />} />
              </Route>
            </Routes>
          </BrowserRouter>
        </SessionProvider>
      </ThemeProvider>
    </LocaleProvider>
  );
}
