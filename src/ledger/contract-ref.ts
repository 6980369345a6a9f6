// A contract as every module below the receivables refers to it: penalty, the ledger's writers and the batch
// take this reference and never look contracts up themselves (receivables/contracts.ts resolves it, in scope).
import type { BusinessDate } from '../core/dates.js';
import { Refused } from '../core/errors.js';

export const CONTRACT_STATUSES = ['active', 'settled', 'written_off'] as const;

export interface ContractRef {
  id: number;
  dealerId: number;
  dealer: string;
  contractNo: string;
  status: (typeof CONTRACT_STATUSES)[number];
  statusDate: BusinessDate | null;
  cutoverDate: BusinessDate | null;
}

/** Refuses a contract that is settled or written off (a written-off one accepts recoveries only). */
export function assertContractActive(ref: ContractRef, what: string): void {
  if (ref.status !== 'active') {
    throw new Refused(`contract ${ref.dealer}/${ref.contractNo} is ${ref.status} since ${ref.statusDate}: it accepts no ${what}`);
  }
}
