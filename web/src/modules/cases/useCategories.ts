/** The active case categories, loaded once per page, and their tree for TreeSelect. */
import { useEffect, useMemo, useState } from 'react';
import type { Category } from '../../../../common/schemas/categories';
import { isApiError, type ApiError } from '../../api';
import { useLocale } from '../../i18n';
import { categoriesApi } from '../categories/api';

export interface CategoryNode {
  value: string;
  title: string;
  children?: CategoryNode[];
}

/** The category's name in the UI language (English names are optional). */
export function categoryName(c: Pick<Category, 'name' | 'nameEn'>, locale: string): string {
  return locale === 'en' && c.nameEn ? c.nameEn : c.name;
}

export function useCategories() {
  const { locale } = useLocale();
  const [items, setItems] = useState<Category[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    const ac = new AbortController();
    categoriesApi
      .list(false, ac.signal)
      .then((r) => setItems(r.items))
      .catch((e: unknown) => {
        if (isApiError(e)) setError(e);
      });
    return () => ac.abort();
  }, []);
  const tree = useMemo(() => {
    const byId = new Map<string, CategoryNode>();
    const roots: CategoryNode[] = [];
    for (const c of items ?? []) byId.set(c.id, { value: c.id, title: categoryName(c, locale) });
    for (const c of items ?? []) {
      const node = byId.get(c.id)!;
      const parent = c.parentId ? byId.get(c.parentId) : undefined;
      if (parent) (parent.children ??= []).push(node);
      else roots.push(node);
    }
    return roots;
  }, [items, locale]);
  const byId = useMemo(() => new Map((items ?? []).map((c) => [c.id, c])), [items]);
  return { items, tree, byId, error };
}
