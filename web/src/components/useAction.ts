/**
 * Runs a write from a button or a confirm dialog: "已保存" when it worked (unless `saved: false`), the server's
 * reason as a message when it was refused. Errors that are not the API's (a bug) are rethrown.
 */
import { useCallback } from 'react';
import { App } from 'antd';
import { isApiError } from '../api';
import { useT } from '../i18n';

/** See the module comment; the returned function resolves to the write's answer, or undefined when refused. */
export function useAction() {
  const { message } = App.useApp();
  const t = useT();
  return useCallback(
    async <T>(work: () => Promise<T>, opts: { saved?: boolean } = {}): Promise<T | undefined> => {
      try {
        const r = await work();
        if (opts.saved !== false) void message.success(t('common.saved'));
        return r;
      } catch (e) {
        if (!isApiError(e)) throw e;
        void message.error(e.details[0]?.message ?? e.message);
        return undefined;
      }
    },
    [message, t],
  );
}
