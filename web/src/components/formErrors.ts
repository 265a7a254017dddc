/** Puts a server validation error onto the matching antd form fields. */
import type { FormInstance } from 'antd';
import type { ApiError } from '../api';

type NamePath = (string | number)[];

/** "body.assignments.0.areaCode" → ['assignments', 0, 'areaCode']; the request part (body/query/params) is dropped. */
export function fieldPath(field: string): NamePath {
  const parts = field
    .replace(/\[(\d+)\]/g, '.$1')
    .split(/[./]/)
    .filter(Boolean);
  if (parts[0] === 'body' || parts[0] === 'query' || parts[0] === 'params') parts.shift();
  return parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function getIn(value: unknown, path: NamePath): unknown {
  let cur = value;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/**
 * Marks each field named in err.details with its message (or the overall message) when the form has it.
 * Returns true when at least one field shows the error, so the caller can skip a redundant alert.
 */
export function applyServerErrors<T>(
  form: FormInstance<T>,
  err: ApiError,
  knownFields?: readonly string[],
): boolean {
  const byField = new Map<string, { name: NamePath; errors: string[] }>();
  for (const d of err.details) {
    let name = fieldPath(d.field);
    if (name.length === 0) continue;
    // A path inside a field's value (e.g. boundary.coordinates.0 of a JSON textarea) belongs to that field.
    if (name.length > 1) {
      const parent = getIn(form.getFieldsValue(true), name.slice(0, -1));
      if (parent === null || typeof parent !== 'object') name = name.slice(0, 1);
    }
    const top = String(name[0]);
    if (knownFields && !knownFields.includes(top)) continue;
    const key = name.join('.');
    const entry = byField.get(key) ?? { name, errors: [] };
    entry.errors.push(d.message ?? err.message);
    byField.set(key, entry);
  }
  if (byField.size === 0) return false;
  // antd's setFields is typed against the form's value shape; server paths are dynamic by nature.
  form.setFields([...byField.values()] as Parameters<FormInstance<T>['setFields']>[0]);
  // Errors only show on registered fields; report success only if one of them now displays the error.
  return [...byField.values()].some(
    ({ name }) => form.getFieldError(name as Parameters<FormInstance<T>['getFieldError']>[0]).length > 0,
  );
}
