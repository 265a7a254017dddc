/** Answers to a category's extra questions at intake: checked against the questions, 400 naming body.answers.<key>. */
import type { CategoryQuestion } from '../../../common/schemas/categories';
import { invalidField } from '../../http/errors';

type Answer = string | number | boolean;

/** ISO 8601 date-time; without a zone (a datetime-local input) it is China time. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/;

function isBlank(v: Answer | undefined): boolean {
  return v === undefined || (typeof v === 'string' && v.trim() === '');
}

/**
 * The answers as stored: every required question answered, each answer of its question's type (a select's one
 * of its options), no key the category does not ask; text trimmed, blank optional answers dropped.
 */
export function checkAnswers(
  questions: readonly CategoryQuestion[],
  answers: Record<string, Answer> | undefined,
): Record<string, Answer> {
  const given = answers ?? {};
  const byKey = new Map(questions.map((q) => [q.key, q]));
  for (const key of Object.keys(given)) {
    if (!byKey.has(key)) throw invalidField(`body.answers.${key}`, 'additionalProperties');
  }
  const out: Record<string, Answer> = {};
  for (const q of questions) {
    const field = `body.answers.${q.key}`;
    const v = given[q.key];
    if (isBlank(v)) {
      if (q.required) throw invalidField(field, 'required');
      continue;
    }
    switch (q.type) {
      case 'text':
        if (typeof v !== 'string') throw invalidField(field, 'type', 'string');
        out[q.key] = v.trim();
        break;
      case 'number':
        if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidField(field, 'type', 'number');
        out[q.key] = v;
        break;
      case 'boolean':
        if (typeof v !== 'boolean') throw invalidField(field, 'type', 'boolean');
        out[q.key] = v;
        break;
      case 'select':
        if (typeof v !== 'string') throw invalidField(field, 'type', 'string');
        if (!(q.options ?? []).includes(v.trim())) throw invalidField(field, 'enum');
        out[q.key] = v.trim();
        break;
      case 'datetime': {
        if (typeof v !== 'string') throw invalidField(field, 'type', 'string');
        const m = DATE_TIME.exec(v.trim());
        const t = m && !m[3] ? `${v.trim()}+08:00` : v.trim();
        if (!m || Number.isNaN(Date.parse(t))) throw invalidField(field, 'format', 'date-time');
        out[q.key] = t;
        break;
      }
    }
  }
  return out;
}
