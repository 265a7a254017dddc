/** A whole-page explanation of a failed load: 403 and 404 get their own pictures, everything else a retry. */
import { Button, Result } from 'antd';
import { Link } from 'react-router';
import { isApiError } from '../api';
import { useT } from '../i18n';

export function ErrorResult({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useT();
  const status = isApiError(error) ? error.status : 0;
  const message = isApiError(error) ? error.message : error instanceof Error ? error.message : String(error);
  if (status === 403) {
    return (
      <div data-testid="error-forbidden">
        <Result
          status="403"
          title={t('common.forbiddenTitle')}
          subTitle={message || t('common.forbidden')}
          extra={
            <Link to="/">
              <Button type="primary">{t('common.backHome')}</Button>
            </Link>
          }
        />
      </div>
    );
  }
  if (status === 404) {
    return (
      <div data-testid="error-not-found">
        <Result
          status="404"
          title={t('common.notFoundTitle')}
          subTitle={message || t('common.notFound')}
          extra={
            <Link to="/">
              <Button type="primary">{t('common.backHome')}</Button>
            </Link>
          }
        />
      </div>
    );
  }
  return (
    <div data-testid="error-result">
      <Result
        status="error"
        title={t('common.errorTitle')}
        subTitle={message}
        extra={onRetry ? <Button onClick={onRetry}>{t('common.retry')}</Button> : undefined}
      />
    </div>
  );
}

/** The 404 page for unknown routes. */
export function NotFound() {
  const t = useT();
  return (
    <div data-testid="error-not-found">
      <Result
        status="404"
        title={t('common.notFoundTitle')}
        subTitle={t('common.notFound')}
        extra={
          <Link to="/">
            <Button type="primary">{t('common.backHome')}</Button>
          </Link>
        }
      />
    </div>
  );
}
