/** UI message catalogues in Linli's three languages, and the lookup that fills in {placeholders}. */
import type { Locale } from '../locale';
import { zhCN, type Catalogue, type MessageKey } from './zh-CN';
import { zhTW } from './zh-TW';
import { en } from './en';

export type { Catalogue, MessageKey };
export type MessageParams = Readonly<Record<string, string | number>>;

export const CATALOGUES: Readonly<Record<Locale, Catalogue>> = { 'zh-CN': zhCN, 'zh-TW': zhTW, en };

/** Looks a key up in a locale's catalogue and replaces each {name} with params.name (unknown names stay visible). */
export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
  const template = CATALOGUES[locale][key] ?? zhCN[key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}
