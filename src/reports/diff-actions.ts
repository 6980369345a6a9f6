// The report module's actions for the snapshot diff (registered in app/catalogue.ts).
import { defineAction } from '../access/action.js';
import { EVERYONE } from '../access/role-sets.js';
import { parseDate } from '../core/dates.js';
import { resolveContract } from '../receivables/contracts.js';
import { reportDiff } from './diff.js';
import { checkScope } from './scope.js';

export const reportDiffAction = defineAction({
  name: 'report.diff',
  summary: 'contracts whose restated figures for a night differ from what was reported that night, and why',
  roles: EVERYONE,
  mutates: false,
  parse: (raw: { asOf: string; contractNo?: string | undefined; dealer?: string | undefined }) => ({
    ...raw,
    asOf: parseDate(raw.asOf, 'asOf'),
  }),
  run: async (tx, actor, input) => {
    // a contract or a dealer out of the actor's scope is not found, as everywhere
    if (input.contractNo === undefined && input.dealer !== undefined) await checkScope(tx, actor, { dealer: input.dealer });
    const contract =
      input.contractNo === undefined ? undefined : await resolveContract(tx, actor, { contractNo: input.contractNo, dealer: input.dealer });
    return reportDiff(tx, actor, {
      asOf: input.asOf,
      dealer: contract ? undefined : input.dealer,
      contractId: contract?.id,
    });
  },
});

export const reportDiffActions = [reportDiffAction] as const;
