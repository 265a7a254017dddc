/**
 * 选择所在社区/网格: the resident's way to say where without the phone's location (refused, unavailable, or outside
 * every grid). A name search (GET /api/areas/lookup, debounced) lists communities and their grids as big buttons.
 */
import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Input, Spin, Typography } from 'antd';
import { CheckCircleFilled, HomeOutlined, SearchOutlined } from '@ant-design/icons';
import { isApiError, type ApiError } from '../../api';
import { useLocale } from '../../i18n';
import { residentApi, type Place } from './api';

const DEBOUNCE_MS = 300;
const MAX_RESULTS = 20;

/** The names above the place (district, street, community), shown under its own name. */
function placeContext(p: Place): string {
  return p.fullName.endsWith(p.name) ? p.fullName.slice(0, -p.name.length).trim() : p.fullName;
}

type Found =
  | { state: 'idle' }
  | { state: 'loading'; q: string }
  | { state: 'done'; q: string; items: Place[] }
  | { state: 'error'; q: string; error: ApiError };

/** The chosen place, or the button that opens the search, or the search itself. */
export function PlacePicker({
  value,
  onChange,
  open,
  onOpen,
  prompt,
}: {
  value: Place | null;
  onChange: (place: Place | null) => void;
  open: boolean;
  onOpen: () => void;
  /** Plain words shown above the search when it opened because locating did not work. */
  prompt?: string | undefined;
}) {
  const { t } = useLocale();
  const [text, setText] = useState('');
  const [found, setFound] = useState<Found>({ state: 'idle' });
  const [attempt, setAttempt] = useState(0);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const q = text.trim();
    if (!open || value || q === '') {
      setFound({ state: 'idle' });
      return;
    }
    const ac = new AbortController();
    const timer = window.setTimeout(() => {
      setFound({ state: 'loading', q });
      residentApi
        .lookup(q.slice(0, 32), ac.signal)
        .then((r) => setFound({ state: 'done', q, items: r.items }))
        .catch((e: unknown) => {
          if (!ac.signal.aborted && isApiError(e)) setFound({ state: 'error', q, error: e });
        });
    }, DEBOUNCE_MS);
    return () => {
      window.clearTimeout(timer);
      ac.abort();
    };
  }, [text, open, value, attempt]);

  // Opened because locating failed: bring the search into view (the alert above it says why).
  useEffect(() => {
    if (open && prompt && !value) box.current?.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }, [open, prompt, value]);

  if (value) {
    return (
      <div className="place-chosen" data-testid="report-place-chosen">
        <div className="place-chosen-text">
          <Typography.Text type="success">
            <CheckCircleFilled /> {t('resident.placeChosen')}
          </Typography.Text>
          <strong className="place-name">{value.name}</strong>
          <span className="place-full">{placeContext(value)}</span>
        </div>
        <Button
          onClick={() => {
            onChange(null);
            onOpen();
          }}
          data-testid="report-place-change"
        >
          {t('resident.placeChange')}
        </Button>
      </div>
    );
  }

  if (!open) {
    return (
      <Button
        size="large"
        block
        icon={<HomeOutlined />}
        onClick={onOpen}
        className="big-button"
        data-testid="report-place-open"
      >
        {t('resident.pickPlace')}
      </Button>
    );
  }

  return (
    <div
      ref={box}
      className={prompt ? 'place-picker prominent' : 'place-picker'}
      data-testid="report-place-picker"
    >
      {prompt ? (
        <Alert
          type="info"
          showIcon
          title={prompt}
          className="place-prompt"
          data-testid="report-place-prompt"
        />
      ) : null}
      <label className="place-label" htmlFor="report-place-search">
        {t('resident.pickPlaceTitle')}
      </label>
      <Typography.Paragraph type="secondary" className="place-hint">
        {t('resident.pickPlaceHint')}
      </Typography.Paragraph>
      <Input
        id="report-place-search"
        size="large"
        allowClear
        autoFocus
        maxLength={32}
        enterKeyHint="search"
        autoComplete="off"
        prefix={<SearchOutlined />}
        placeholder={t('resident.pickPlaceSearch')}
        value={text}
        onChange={(e) => setText(e.target.value)}
        // Enter searches at once; it must not submit the report form.
        onPressEnter={(e) => e.preventDefault()}
        data-testid="report-place-search"
      />
      <div className="place-results" aria-live="polite">
        {found.state === 'loading' ? (
          <div className="page-loading small">
            <Spin />
          </div>
        ) : found.state === 'error' ? (
          <Alert
            type="error"
            showIcon
            title={found.error.message}
            action={<Button onClick={() => setAttempt((n) => n + 1)}>{t('common.retry')}</Button>}
            data-testid="report-place-error"
          />
        ) : found.state === 'done' && found.items.length === 0 ? (
          <Typography.Text type="secondary" data-testid="report-place-empty">
            {t('resident.pickPlaceEmpty', { q: found.q })}
          </Typography.Text>
        ) : found.state === 'done' ? (
          <>
            <ul className="place-list" data-testid="report-place-results">
              {found.items.map((p) => (
                <li key={p.code}>
                  <button
                    type="button"
                    className="choice-button place-option"
                    onClick={() => onChange(p)}
                    data-testid={`report-place-option-${p.code}`}
                  >
                    <strong className="place-name">{p.name}</strong>
                    <span className="place-full">{placeContext(p)}</span>
                  </button>
                </li>
              ))}
            </ul>
            {found.items.length >= MAX_RESULTS ? (
              <Typography.Text type="secondary">
                {t('resident.pickPlaceMore', { n: MAX_RESULTS })}
              </Typography.Text>
            ) : null}
          </>
        ) : null}
      </div>
    </div>
  );
}
