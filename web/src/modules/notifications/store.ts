/**
 * The unread count shared by the header bell, the inbox and the resident's home: polled every 30 s while the tab
 * is visible, refreshed when it becomes visible again, and given up on 401 (signed out) or 404 (no inbox yet).
 */
import { useEffect, useSyncExternalStore } from 'react';
import { isApiError } from '../../api';
import { notificationsApi } from './api';

export const POLL_MS = 30_000;

let unread: number | null = null;
let stopped = false;
const listeners = new Set<() => void>();

function emit(): void {
  for (const l of listeners) l();
}

/** Sets the count (after marking read, the server answers the count left). */
export function setUnread(n: number | null): void {
  if (n === unread) return;
  unread = n;
  emit();
}

/** Asks the server for the count now; stops polling for good on 401/404. */
export async function refreshUnread(): Promise<void> {
  if (stopped) return;
  try {
    setUnread((await notificationsApi.unread()).unread);
  } catch (e) {
    if (isApiError(e) && (e.status === 401 || e.status === 404)) {
      stopped = true;
      setUnread(null);
    }
    // Network blips and 5xx: keep the last count and try again at the next tick.
  }
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** The unread count, or null while unknown or when the inbox is not available. */
export function useUnread(): number | null {
  return useSyncExternalStore(subscribe, () => unread);
}

/** Polls the unread count while mounted (the bell in the signed-in shell mounts it once). */
export function useUnreadPolling(): void {
  useEffect(() => {
    stopped = false;
    let timer: ReturnType<typeof setInterval> | null = null;
    const stop = () => {
      if (timer) clearInterval(timer);
      timer = null;
    };
    const start = () => {
      stop();
      if (stopped || document.visibilityState !== 'visible') return;
      timer = setInterval(() => {
        if (stopped) stop();
        else void refreshUnread();
      }, POLL_MS);
    };
    const onVisibility = () => {
      if (document.visibilityState === 'visible') {
        void refreshUnread();
        start();
      } else stop();
    };
    void refreshUnread();
    start();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stop();
      document.removeEventListener('visibilitychange', onVisibility);
      // A later sign-in (another account) starts from an unknown count.
      unread = null;
    };
  }, []);
}
