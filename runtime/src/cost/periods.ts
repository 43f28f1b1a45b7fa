// Budget and spend periods: the UTC day and the UTC calendar month a moment falls in, named as ISO dates
// ("2026-07-14", "2026-07"), and when each ends (a budget's reset).
import type { BudgetPeriod } from '../../../common/src/config';

export interface Period {
  kind: BudgetPeriod;
  /** "2026-07-14" or "2026-07". */
  id: string;
  /** Epoch ms the period starts, and ends (exclusive). */
  startsAt: number;
  endsAt: number;
}

/** The period last asked for, per kind: every request asks for the current one, which changes once a day. */
const lastAsked: Partial<Record<BudgetPeriod, Period>> = {};

export function periodAt(kind: BudgetPeriod, at = Date.now()): Period {
  const last = lastAsked[kind];
  if (last && at >= last.startsAt && at < last.endsAt) return last;
  const period = computePeriod(kind, at);
  lastAsked[kind] = period;
  return period;
}

function computePeriod(kind: BudgetPeriod, at: number): Period {
  const date = new Date(at);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  const ym = `${year}-${String(month + 1).padStart(2, '0')}`;
  if (kind === 'month') return { kind, id: ym, startsAt: Date.UTC(year, month, 1), endsAt: Date.UTC(year, month + 1, 1) };
  const day = date.getUTCDate();
  return { kind, id: `${ym}-${String(day).padStart(2, '0')}`, startsAt: Date.UTC(year, month, day), endsAt: Date.UTC(year, month, day + 1) };
}

/** A period named by the admin API: `day`, `month` (the current ones), or an ISO day or month; undefined if neither. */
export function parsePeriod(text: string, now = Date.now()): Period | undefined {
  if (text === 'day' || text === 'today') return periodAt('day', now);
  if (text === 'month') return periodAt('month', now);
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]) - 1, m[3] === undefined ? undefined : Number(m[3])];
  if (month > 11 || (day !== undefined && (day < 1 || day > 31))) return undefined;
  const at = Date.UTC(year, month, day ?? 1);
  const period = periodAt(day === undefined ? 'month' : 'day', at);
  return period.id === text ? period : undefined; // 2026-02-30 does not exist
}
