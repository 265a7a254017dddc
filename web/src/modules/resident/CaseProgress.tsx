/** A five-step progress bar (受理 → 派遣 → 处理 → 核查 → 办结) that fits a phone, with the time under each step. */
import { CheckOutlined, CloseOutlined, PauseOutlined } from '@ant-design/icons';
import { useLocale } from '../../i18n';
import { PROGRESS_STEPS, progressOf, shortTime, stepState } from './progress';
import './resident.css';

export function CaseProgress({
  status,
  times,
  compact,
}: {
  status: string;
  /** The time each step was reached, when known (same order as the steps). */
  times?: readonly (string | null)[];
  /** Smaller, without times: for lists. */
  compact?: boolean;
}) {
  const { t, locale } = useLocale();
  const p = progressOf(status);
  return (
    <ol
      className={`case-progress${compact ? ' case-progress-compact' : ''}`}
      data-testid="case-progress"
      aria-label={t('resident.progressLabel')}
    >
      {PROGRESS_STEPS.map((step, i) => {
        const state = stepState(p, i);
        const paused = p.paused && state === 'current';
        const time = times?.[i];
        return (
          <li key={step} className={`progress-step progress-${paused ? 'paused' : state}`}>
            <span className="progress-dot" aria-hidden>
              {state === 'done' ? (
                <CheckOutlined />
              ) : state === 'stopped' ? (
                <CloseOutlined />
              ) : paused ? (
                <PauseOutlined />
              ) : (
                i + 1
              )}
            </span>
            <span className="progress-label">{t(`resident.step.${step}`)}</span>
            {!compact && time && state === 'done' ? (
              <span className="progress-time">
                {/* Date over time: five columns of a phone have room for neither side by side. */}
                {shortTime(time, locale)
                  .split(/,?\s+(?=\S+$)/)
                  .map((part) => (
                    <span key={part} className="progress-time-part">
                      {part}
                    </span>
                  ))}
              </span>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
