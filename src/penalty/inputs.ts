// Reads what the pure penalty and allocation code needs for a set of contracts, in a few set-based queries
// (never one query per line): lines with their resolved rates and grace, the postings that moved them, the
// confirmed receipts. Used by `zq penalty show`, `zq contract show`, reconciliation and the receipt replay.
import type { Knex } from 'knex';
import type { BusinessDate } from '../core/dates.js';
import { dec, type Money, sumMoney } from '../core/money.js';
import { PAYS_LINE } from '../ledger/kinds.js';
import type { ReplayLine, ReplayReceipt, Strategy } from './allocate.js';
import type { DatedAmount, GraceSetting, LinePenaltyInput, RatePeriod } from './compute.js';
import { loadPenaltySettings, type PenaltySettings, resolveGrace, resolveRates } from './settings.js';

/** Contracts read per query: keeps IN lists and memory bounded. */
export const CONTRACT_CHUNK = 1000;

export interface LoadedLine extends ReplayLine {
  lineId: number;
  contractId: number;
  /** Every posting to the line's amount (allocation, credit application, opening paid), reversals negative. */
  paidPostings: DatedAmount[];
  openingPenalty: Money;
}

export interface ContractInputs {
  contractId: number;
  dealerId: number;
  dealer: string;
  contractNo: string;
  strategy: Strategy;
  stopDate?: BusinessDate;
  cutoverDate?: BusinessDate;
  lines: LoadedLine[];
  receipts: ReplayReceipt[];
}

interface PostingSum {
  contractId: number;
  lineId: number | null;
  kind: string;
  valueDate: BusinessDate;
  total: string;
}

export async function loadContractInputs(
  knex: Knex,
  contractIds: readonly number[],
  settings?: PenaltySettings,
): Promise<Map<number, ContractInputs>> {
  const resolved = settings ?? (await loadPenaltySettings(knex));
  const result = new Map<number, ContractInputs>();
  for (let i = 0; i < contractIds.length; i += CONTRACT_CHUNK) {
    const chunk = contractIds.slice(i, i + CONTRACT_CHUNK);
    for (const inputs of await loadChunk(knex, chunk, resolved)) result.set(inputs.contractId, inputs);
  }
  return result;
}

/** A schedule line as the chunk's query reads it. */
interface ChunkLine {
  id: number;
  contractId: number;
  seq: number;
  type: string;
  dueDate: BusinessDate;
  amountDue: string;
  penaltyBearing: boolean;
  priority: number;
}

async function loadChunk(knex: Knex, ids: readonly number[], settings: PenaltySettings): Promise<ContractInputs[]> {
  const contracts = await knex('contracts as c')
    .join('dealers as d', 'd.id', 'c.dealer_id')
    .whereIn('c.id', ids)
    .select(
      'c.id',
      'c.dealer_id as dealerId',
      'd.code as dealer',
      'c.contract_no as contractNo',
      'd.allocation_strategy as strategy',
      'c.status',
      'c.status_date as statusDate',
      'c.cutover_date as cutoverDate',
    );
  const lines: ChunkLine[] = await knex('schedule_lines as l')
    .join('receivable_types as t', 't.code', 'l.receivable_type')
    .whereIn('l.contract_id', ids)
    .whereNull('l.retired_version')
    .orderBy([{ column: 'l.contract_id' }, { column: 'l.due_date' }, { column: 'l.seq' }, { column: 't.allocation_priority' }])
    .select(
      'l.id',
      'l.contract_id as contractId',
      'l.seq',
      'l.receivable_type as type',
      'l.due_date as dueDate',
      'l.amount_due as amountDue',
      't.penalty_bearing as penaltyBearing',
      't.allocation_priority as priority',
    );
  const sums = (await knex('postings')
    .whereIn('contract_id', ids)
    .groupBy('contract_id', 'schedule_line_id', 'kind', 'value_date')
    .select(
      'contract_id as contractId',
      'schedule_line_id as lineId',
      'kind',
      'value_date as valueDate',
      knex.raw('sum(signed_amount)::text as total'),
    )) as PostingSum[];
  const receipts = await knex('documents')
    .whereIn('contract_id', ids)
    .where({ type: 'receipt', status: 'confirmed' })
    .orderBy('id')
    .select('id', 'contract_id as contractId', 'value_date as valueDate', 'amount');

  const byLine = new Map<number, PostingSum[]>();
  for (const s of sums) {
    if (s.lineId === null) continue;
    const list = byLine.get(s.lineId) ?? [];
    list.push(s);
    byLine.set(s.lineId, list);
  }
  const out = new Map<number, ContractInputs>();
  for (const c of contracts) {
    const inputs: ContractInputs = {
      contractId: c.id,
      dealerId: c.dealerId,
      dealer: c.dealer,
      contractNo: c.contractNo,
      strategy: c.strategy,
      lines: [],
      receipts: [],
    };
    // A settled contract owes nothing, so its accrual has stopped already; a written-off one stops on its date.
    if (c.status === 'written_off' && c.statusDate) inputs.stopDate = c.statusDate;
    if (c.cutoverDate) inputs.cutoverDate = c.cutoverDate;
    out.set(c.id, inputs);
  }
  // the lines of a contract share its settings: resolved once per contract and type, not per line
  const resolved = new Map<string, { rates: RatePeriod[]; grace: GraceSetting }>();
  for (const l of lines) {
    const contract = out.get(l.contractId);
    if (!contract) continue;
    const keyText = `${l.contractId}|${l.type}`;
    let lineSettings = resolved.get(keyText);
    if (lineSettings === undefined) {
      const key = { contractId: l.contractId, dealerId: contract.dealerId, type: l.type };
      lineSettings = { rates: resolveRates(settings.rates, key), grace: resolveGrace(settings.grace, key) };
      resolved.set(keyText, lineSettings);
    }
    contract.lines.push(loadedLine(l, contract, byLine.get(l.id) ?? [], lineSettings));
  }
  for (const r of receipts) {
    out.get(r.contractId)?.receipts.push({ id: String(r.id), valueDate: r.valueDate, amount: dec(r.amount), order: r.id });
  }
  return [...out.values()];
}

/** A schedule line with its postings' sums: what the pure penalty and allocation code needs of it. */
function loadedLine(
  l: ChunkLine,
  contract: ContractInputs,
  postings: readonly PostingSum[],
  lineSettings: { rates: RatePeriod[]; grace: GraceSetting },
): LoadedLine {
  const of = (kind: string) => sumMoney(postings.filter((p) => p.kind === kind).map((p) => dec(p.total)));
  const dated = (kinds: readonly string[]) =>
    postings.filter((p) => kinds.includes(p.kind)).map((p) => ({ valueDate: p.valueDate, amount: dec(p.total) }));
  const openingPaid = of('opening_paid');
  const openingPenalty = of('opening_penalty');
  const openingPenaltyPaid = of('opening_penalty_paid');
  const line: LoadedLine = {
    id: String(l.id),
    lineId: l.id,
    contractId: l.contractId,
    seq: l.seq,
    type: l.type,
    dueDate: l.dueDate,
    amountDue: dec(l.amountDue),
    penaltyBearing: l.penaltyBearing,
    priority: l.priority,
    rates: lineSettings.rates,
    grace: lineSettings.grace,
    waived: dated(['waiver']),
    paidPostings: dated(PAYS_LINE),
    openingPenalty,
  };
  if (contract.cutoverDate !== undefined) line.cutoverDate = contract.cutoverDate;
  if (!openingPaid.isZero()) line.openingPaid = openingPaid;
  if (!openingPenalty.isZero()) line.openingPenaltyAccrued = openingPenalty;
  if (!openingPenaltyPaid.isZero()) line.openingPenaltyPaid = openingPenaltyPaid;
  return line;
}

/**
 * The pure computation's input for a line as the ledger stands: every posting to its amount counts with its
 * value date; the imported opening penalty is left out (the position adds it as a posting).
 */
export function penaltyInputOf(contract: ContractInputs, line: LoadedLine): LinePenaltyInput {
  return {
    dueDate: line.dueDate,
    amountDue: line.amountDue,
    penaltyBearing: line.penaltyBearing,
    paid: line.paidPostings,
    ...(contract.cutoverDate !== undefined && { cutoverDate: contract.cutoverDate }),
    ...(contract.stopDate !== undefined && { stopDate: contract.stopDate }),
    rates: line.rates,
    grace: line.grace ?? { days: 0, mode: 'retroactive' },
  };
}
