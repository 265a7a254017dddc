/**
 * The message catalogues as the web app holds them: zh-CN, the first language, comes with the app; zh-TW and en
 * (84 and 60 KB of script) are fetched when chosen, so the first load of a phone in zh-CN carries neither.
 * Web code looks messages up here, never in common/i18n/index.ts, which holds all three (eslint forbids it).
 */
import type { Locale } from '../../common/locale';
import { fillMessage, type MessageParams } from '../../common/i18n/format';
import { zhCN, type Catalogue, type MessageKey } from '../../common/i18n/zh-CN';

const loaded: Partial<Record<Locale, Catalogue>> = { 'zh-CN': zhCN };

const LOADERS: Record<Exclude<Locale, 'zh-CN'>, () => Promise<Catalogue>> = {
  'zh-TW': () => import('../../common/i18n/zh-TW').then((m) => m.zhTW),
  en: () => import('../../common/i18n/en').then((m) => m.en),
};

/** Whether a locale's messages are at hand (zh-CN always is). */
export function catalogueLoaded(locale: Locale): boolean {
  return loaded[locale] !== undefined;
}

/** Fetches a locale's messages once; a failure (offline) rejects, and a later call tries again. */
export async function loadCatalogue(locale: Locale): Promise<void> {
  if (locale === 'zh-CN' || loaded[locale]) return;
  loaded[locale] = await LOADERS[locale]();
}

/** A message in a locale, {placeholders} filled; zh-CN's while the locale's catalogue is not loaded. */
export function translateIn(locale: Locale, key: MessageKey, params?: MessageParams): string {
  return fillMessage((loaded[locale] ?? zhCN)[key] ?? zhCN[key], params);
}

/** Whether a key built from a server value (a status, an action) has a message. */
export function hasMessage(key: string): key is MessageKey {
  return key in zhCN;
}
