/** Look and feel: antd theme and locale, and the large-text mode for elderly users (适老化), persisted. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { App as AntdApp, ConfigProvider, type ThemeConfig } from 'antd';
import zhCN from 'antd/es/locale/zh_CN';
import zhTW from 'antd/es/locale/zh_TW';
import enUS from 'antd/es/locale/en_US';
import type { Locale as AntdLocale } from 'antd/es/locale';
import type { Locale } from '../../common/locale';
import { useLocale } from './i18n';

const STORAGE_KEY = 'linli.largeText';
const ANTD_LOCALES: Record<Locale, AntdLocale> = { 'zh-CN': zhCN, 'zh-TW': zhTW, en: enUS };

export const BRAND_COLOR = '#0f766e';

interface LargeTextState {
  largeText: boolean;
  setLargeText: (on: boolean) => void;
}
const LargeTextContext = createContext<LargeTextState | null>(null);

function readLargeText(): boolean {
  try {
    return localStorage.getItem(STORAGE_KEY) === '1';
  } catch {
    return false;
  }
}

const baseTheme: ThemeConfig = {
  token: {
    colorPrimary: BRAND_COLOR,
    colorInfo: BRAND_COLOR,
    // antd derives greyish tints from a dark teal, so the light shades are set by hand.
    colorPrimaryBg: '#e6f4f1',
    colorPrimaryBgHover: '#cdebe4',
    colorPrimaryBorder: '#9fd5c9',
    colorPrimaryBorderHover: '#6fc0ae',
    colorPrimaryHover: '#14897f',
    colorPrimaryActive: '#0b5d56',
    colorInfoBg: '#e6f4f1',
    colorInfoBgHover: '#cdebe4',
    colorInfoBorder: '#9fd5c9',
    colorInfoHover: '#14897f',
    controlItemBgActive: '#e6f4f1',
    controlItemBgActiveHover: '#cdebe4',
    borderRadius: 8,
    fontFamily:
      "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Noto Sans SC', sans-serif",
  },
  components: {
    Layout: { headerBg: '#ffffff', siderBg: '#ffffff', headerPadding: '0 16px' },
  },
};

// Seed tokens: antd derives headings, paddings and small/large control sizes from these two.
const largeTheme: ThemeConfig = {
  ...baseTheme,
  token: { ...baseTheme.token, fontSize: 18, controlHeight: 44, lineHeight: 1.6 },
  components: {
    ...baseTheme.components,
    Menu: { itemHeight: 52 },
    Table: { cellPaddingBlock: 14 },
  },
};

const REDUCED_MOTION = '(prefers-reduced-motion: reduce)';

function prefersReducedMotion(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia(REDUCED_MOTION).matches;
}

/**
 * Whether the device asks for less motion (an OS accessibility setting, often on for users who get dizzy). It is
 * followed live: antd's zooms, slides and drawers then appear at once.
 */
function useReducedMotion(): boolean {
  const [reduced, setReduced] = useState(prefersReducedMotion);
  useEffect(() => {
    if (typeof window.matchMedia !== 'function') return;
    const query = window.matchMedia(REDUCED_MOTION);
    const onChange = () => setReduced(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  return reduced;
}

/** Provides the large-text flag, antd's theme and locale, and antd's App context (message, modal). */
export function ThemeProvider({ children }: { children: ReactNode }) {
  const { locale } = useLocale();
  const [largeText, setLargeTextState] = useState(readLargeText);
  const reducedMotion = useReducedMotion();

  useEffect(() => {
    document.documentElement.classList.toggle('large-text', largeText);
  }, [largeText]);

  const setLargeText = useCallback((on: boolean) => {
    try {
      localStorage.setItem(STORAGE_KEY, on ? '1' : '0');
    } catch {
      // Not persisted, still applied for this visit.
    }
    setLargeTextState(on);
  }, []);

  const value = useMemo(() => ({ largeText, setLargeText }), [largeText, setLargeText]);
  const theme = useMemo(() => {
    const chosen = largeText ? largeTheme : baseTheme;
    return reducedMotion ? { ...chosen, token: { ...chosen.token, motion: false } } : chosen;
  }, [largeText, reducedMotion]);
  return (
    <LargeTextContext.Provider value={value}>
      <ConfigProvider locale={ANTD_LOCALES[locale]} theme={theme}>
        <AntdApp>{children}</AntdApp>
      </ConfigProvider>
    </LargeTextContext.Provider>
  );
}

export function useLargeText(): LargeTextState {
  const ctx = useContext(LargeTextContext);
  if (!ctx) throw new Error('useLargeText outside ThemeProvider');
  return ctx;
}
