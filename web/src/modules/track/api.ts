/** The public tracking call: a case's progress by its number and the last four digits of the reporter's phone. */
import type { TrackView } from '../../../../common/schemas/cases';
import { api } from '../../api';

export type { TrackView };

export const trackApi = {
  find: (number: string, phone4: string, signal?: AbortSignal) =>
    api.get<TrackView>('/api/track', { number, phone4 }, signal),
};

/** A case number as typed by hand (spaces, no dashes, full-width digits) in the form 340302-20250301-000123. */
export function normaliseNumber(raw: string): string {
  const ascii = raw.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
  const digits = ascii.replace(/\D/g, '');
  if (digits.length === 20) return `${digits.slice(0, 6)}-${digits.slice(6, 14)}-${digits.slice(14)}`;
  return ascii.trim().replace(/\s+/g, '');
}

export const NUMBER_RE = /^[0-9]{6}-[0-9]{8}-[0-9]{6}$/;
