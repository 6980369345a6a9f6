// The period actions (结账): close a month, reopen it (a document through the approval engine), list them.
import { defineAction } from '../access/action.js';
import { ADMIN, EVERYONE, GROUP_FINANCE } from '../access/role-sets.js';
import { requireText } from '../core/input.js';
import { closePeriod, listPeriods, parseMonth, reopenPeriod } from './index.js';

const month = (raw: { month: string }) => parseMonth(raw.month, 'month').month;

export const periodClose = defineAction({
  name: 'period.close',
  summary: 'close a month: no posting dated inside it is accepted',
  roles: GROUP_FINANCE,
  mutates: true,
  parse: (raw: { month: string }) => ({ month: month(raw) }),
  run: (tx, actor, input) => closePeriod(tx, actor, input.month),
});

export const periodReopen = defineAction({
  name: 'period.reopen',
  summary: 'reopen a closed month (through approval when a rule for period_reopen matches)',
  roles: ADMIN,
  mutates: true,
  parse: (raw: { month: string; reason: string }) => ({
    month: month(raw),
    reason: requireText(raw.reason, 'reason', 'why the month is reopened'),
  }),
  run: (tx, actor, input) => reopenPeriod(tx, actor, input.month, input.reason),
});

export const periodList = defineAction({
  name: 'period.list',
  summary: 'months that were ever closed, with who closed or reopened them',
  roles: EVERYONE,
  mutates: false,
  parse: (raw: Record<string, never>) => raw,
  run: (tx) => listPeriods(tx),
});

export const periodActions = [periodClose, periodReopen, periodList] as const;
