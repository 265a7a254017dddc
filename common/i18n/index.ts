/** UI message catalogues in Linli's three languages, and the lookup that fills in {placeholders}. */
import type { Locale } from '../locale';
import { zhCN, type Catalogue, type MessageKey } from './zh-CN';
import { zhTW } from './zh-TW';
import { en } from './en';
import { fillMessage, type MessageParams } from './format';

export type { Catalogue, MessageKey, MessageParams };

export const CATALOGUES: Readonly<Record<Locale, Catalogue>> = { 'zh-CN': zhCN, 'zh-TW': zhTW, en };

/** Looks a key up in a locale's catalogue and replaces each {name} with params.name (unknown names stay visible). */
export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
  return fillMessage(CATALOGUES[locale][key] ?? zhCN[key], params);
}
