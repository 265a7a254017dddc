/** The signed-in account (GET /api/me): loaded once, refreshed after login and profile changes, cleared on 401. */
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import type { Me } from './contract';
import { hasAbility, type Action, type Subject } from '../../common/abilities';
import {
  api,
  isApiError,
  setCsrfRefresher,
  setCsrfToken,
  setRestrictedHandler,
  setUnauthorizedHandler,
  type ApiError,
} from './api';

export type { Me };

export type SessionState =
  | { status: 'loading' }
  | { status: 'anonymous'; reason?: 'expired' | 'loggedOut' }
  | { status: 'authenticated'; me: Me }
  | { status: 'error'; error: ApiError };

interface SessionContextValue {
  state: SessionState;
  me: Me | null;
  /** Reloads /api/me; resolves to null when not signed in. */
  refresh: () => Promise<Me | null>;
  logout: () => Promise<void>;
  /** Whether the menus should offer this (a hint only: the server decides every request). */
  can: (action: Action, subject: Subject) => boolean;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  // Coalesces concurrent refreshes (start-up, CSRF retry) into one request.
  const inflight = useRef<Promise<Me | null> | null>(null);

  const refresh = useCallback((): Promise<Me | null> => {
    if (inflight.current) return inflight.current;
    const p = api
      .get<Me>('/api/me')
      .then((me) => {
        setCsrfToken(me.csrfToken);
        setState({ status: 'authenticated', me });
        return me;
      })
      .catch((e: unknown) => {
        if (isApiError(e) && e.status === 401) {
          setCsrfToken(null);
          setState((s) => (s.status === 'anonymous' ? s : { status: 'anonymous' }));
          return null;
        }
        if (isApiError(e)) setState({ status: 'error', error: e });
        throw e;
      })
      .finally(() => {
        inflight.current = null;
      });
    inflight.current = p;
    return p;
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.post('/api/auth/logout');
    } catch {
      // The session may already be gone; signing out locally is what the user asked for either way.
    }
    setCsrfToken(null);
    setState({ status: 'anonymous', reason: 'loggedOut' });
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      setCsrfToken(null);
      setState({ status: 'anonymous', reason: 'expired' });
    });
    setCsrfRefresher(async () => {
      try {
        return (await refresh())?.csrfToken ?? null;
      } catch {
        return null;
      }
    });
    setRestrictedHandler(() => {
      refresh().catch(() => {});
    });
    refresh().catch(() => {
      // Shown through state.status === 'error'.
    });
    return () => {
      setUnauthorizedHandler(null);
      setCsrfRefresher(null);
      setRestrictedHandler(null);
    };
  }, [refresh]);

  const me = state.status === 'authenticated' ? state.me : null;
  const can = useCallback(
    (action: Action, subject: Subject) => (me ? hasAbility(me.abilities, action, subject) : false),
    [me],
  );
  const value = useMemo(() => ({ state, me, refresh, logout, can }), [state, me, refresh, logout, can]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside SessionProvider');
  return ctx;
}

/** The signed-in account, for pages that only render inside the authenticated shell. */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('useMe without a session');
  return me;
}
