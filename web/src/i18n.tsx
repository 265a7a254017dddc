/** The UI language: which one is chosen (persisted), the t() hook, and locale-aware formatting helpers. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import 'dayjs/locale/zh-tw';
import { LOCALES, pickLocale, type Locale } from '../../common/locale';
import type { MessageKey } from '../../common/i18n/zh-CN';
import type { MessageParams } from '../../common/i18n/format';
import { ROLE_NAMES, type Role } from '../../common/roles';
import { setApiLanguage } from './api';
import { catalogueLoaded, loadCatalogue, translateIn } from './catalogues';

const STORAGE_KEY = 'linli.locale';

export type TFunction = (key: MessageKey, params?: MessageParams) => string;

interface LocaleState {
  locale: Locale;
  /** Switches once the language's messages are here; rejects when they cannot be fetched (offline). */
  setLocale: (locale: Locale) => Promise<void>;
  t: TFunction;
}

const LocaleContext = createContext<LocaleState | null>(null);

function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved && (LOCALES as readonly string[]).includes(saved)) return saved as Locale;
  } catch {
    // Storage can be blocked (private mode, policies); the browser language is a good second choice.
  }
  return pickLocale(navigator.languages?.join(',') || navigator.language);
}

const DAYJS_LOCALE: Record<Locale, string> = { 'zh-CN': 'zh-cn', 'zh-TW': 'zh-tw', en: 'en' };

/** Applies a locale everywhere outside React: API header, <html lang>, date picker names. */
function applyLocale(locale: Locale): void {
  setApiLanguage(locale);
  document.documentElement.lang = locale;
  dayjs.locale(DAYJS_LOCALE[locale]);
}

export function LocaleProvider({ children }: { children: ReactNode }) {
  // The first choice (saved, or the browser's). One other than zh-CN holds the app back until its messages arrive, so
  // no one sees a flash of the wrong language; a failed fetch (offline) shows zh-CN.
  const [wanted] = useState(initialLocale);
  const [locale, setLocaleState] = useState<Locale>(() => {
    const l = catalogueLoaded(wanted) ? wanted : 'zh-CN';
    applyLocale(l);
    return l;
  });
  const [ready, setReady] = useState(() => catalogueLoaded(wanted));

  useEffect(() => {
    if (ready) return;
    let live = true;
    loadCatalogue(wanted)
      .then(() => live && setLocaleState(wanted))
      .catch(() => undefined)
      .finally(() => live && setReady(true));
    return () => {
      live = false;
    };
  }, [ready, wanted]);

  useEffect(() => {
    applyLocale(locale);
    document.title = translateIn(locale, 'app.name');
  }, [locale]);

  const setLocale = useCallback(async (l: Locale) => {
    // The switch happens once the language's messages are here (at once for zh-CN or one used before).
    await loadCatalogue(l);
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      // Not persisted, still switched for this visit.
    }
    applyLocale(l);
    setLocaleState(l);
  }, []);

  const value = useMemo<LocaleState>(
    () => ({ locale, setLocale, t: (key, params) => translateIn(locale, key, params) }),
    [locale, setLocale],
  );
  return <LocaleContext.Provider value={value}>{ready ? children : null}</LocaleContext.Provider>;
}

export function useLocale(): LocaleState {
  const ctx = useContext(LocaleContext);
  if (!ctx) throw new Error('useLocale outside LocaleProvider');
  return ctx;
}

/** The translation function of the current UI language. */
export function useT(): TFunction {
  return useLocale().t;
}

export function roleName(role: Role, locale: Locale): string {
  return ROLE_NAMES[role]?.[locale] ?? role;
}

/** A timestamp in the viewer's time zone, 24-hour, e.g. 2025/03/01 14:05:09. */
export function formatDateTime(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(locale === 'en' ? 'en-GB' : locale, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
}
