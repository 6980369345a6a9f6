// `zq contract show`: the contract, its lines and totals as of a date, in the JSON shape of CLI.md.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import type { BusinessDate } from '../core/dates.js';
import { contractStatusName, receivableTypeName } from '../core/labels.js';
import { formatMoney, formatMoneyGrouped } from '../core/money.js';
import { table } from '../core/table.js';
import { pureAccrual } from '../penalty/accrual.js';
import { type ContractRef, contractDetails, findContract } from './contracts.js';
import { contractPosition, type PenaltyAccrual, positionTotals } from './position.js';

export interface ContractShowLine {
  seq: number;
  type: string;
  dueDate: BusinessDate;
  amountDue: string;
  amountPaid: string;
  outstanding: string;
  overdueDays: number;
  penaltyAccrued: string;
  penaltyPaid: string;
  penaltyWaived: string;
  penaltyOutstanding: string;
  writtenOff: string;
  recovered: string;
}

export interface ContractShow {
  dealer: string;
  contractNo: string;
  customer: { name: string; idNumber: string | null; phone: string | null };
  collector: string | null;
  status: string;
  asOf: BusinessDate;
  lines: ContractShowLine[];
  totals: Record<
    | 'amountDue'
    | 'amountPaid'
    | 'outstanding'
    | 'overdue'
    | 'penaltyAccrued'
    | 'penaltyPaid'
    | 'penaltyWaived'
    | 'penaltyOutstanding'
    | 'credit'
    | 'writtenOff'
    | 'recovered',
    string
  >;
  /** The date the status was reached (settlement or write-off), else null. */
  statusDate: BusinessDate | null;
  contract: {
    dealerName: string;
    signDate: BusinessDate | null;
    contractAmount: string | null;
    downPayment: string;
    financedAmount: string | null;
    annualRate: string | null;
    termMonths: number | null;
    method: string;
    financier: string | null;
    heldBy: 'dealer' | 'financier';
    machines: { serialNo: string; model: string; status: string }[];
  };
}

/** A contract named by its number, in the actor's scope, as of the date. */
export async function showContract(
  knex: Knex,
  actor: Actor,
  contractNo: string,
  dealer: string | undefined,
  asOf: BusinessDate,
  penaltyAccrual?: PenaltyAccrual,
): Promise<ContractShow> {
  return contractShow(knex, await findContract(knex, contractNo, dealer, actor), asOf, penaltyAccrual);
}

/** A contract found in the actor's scope, as of the date. */
export async function contractShow(
  knex: Knex,
  ref: ContractRef,
  asOf: BusinessDate,
  penaltyAccrual?: PenaltyAccrual,
): Promise<ContractShow> {
  const details = await contractDetails(knex, ref);
  const position = await contractPosition(knex, ref, asOf, penaltyAccrual ?? pureAccrual);
  const totals = positionTotals(position);
  // As the contract stood on the as-of date: a settlement, write-off or buyback dated later had not happened.
  const reached = ref.statusDate !== null && ref.statusDate <= asOf;
  const boughtLater = await knex('documents')
    .where({ contract_id: ref.id, type: 'buyback', status: 'approved' })
    .where('value_date', '>', asOf)
    .first('id');
  return {
    dealer: details.dealer,
    contractNo: details.contractNo,
    customer: details.customer,
    collector: details.collector,
    status: reached ? details.status : 'active',
    asOf,
    lines: position.lines.map((l) => ({
      seq: l.seq,
      type: l.type,
      dueDate: l.dueDate,
      amountDue: formatMoney(l.amountDue),
      amountPaid: formatMoney(l.amountPaid),
      outstanding: formatMoney(l.outstanding),
      overdueDays: l.overdueDays,
      penaltyAccrued: formatMoney(l.penaltyAccrued),
      penaltyPaid: formatMoney(l.penaltyPaid),
      penaltyWaived: formatMoney(l.penaltyWaived),
      penaltyOutstanding: formatMoney(l.penaltyOutstanding),
      writtenOff: formatMoney(l.writtenOff),
      recovered: formatMoney(l.recovered),
    })),
    totals: {
      amountDue: formatMoney(totals.amountDue),
      amountPaid: formatMoney(totals.amountPaid),
      outstanding: formatMoney(totals.outstanding),
      overdue: formatMoney(totals.overdue),
      penaltyAccrued: formatMoney(totals.penaltyAccrued),
      penaltyPaid: formatMoney(totals.penaltyPaid),
      penaltyWaived: formatMoney(totals.penaltyWaived),
      penaltyOutstanding: formatMoney(totals.penaltyOutstanding),
      credit: formatMoney(totals.credit),
      writtenOff: formatMoney(totals.writtenOff),
      recovered: formatMoney(totals.recovered),
    },
    statusDate: reached ? ref.statusDate : null,
    contract: {
      dealerName: details.dealerName,
      signDate: details.signDate,
      contractAmount: details.contractAmount,
      downPayment: details.downPayment,
      financedAmount: details.financedAmount,
      annualRate: details.annualRate,
      termMonths: details.termMonths,
      method: details.method,
      financier: details.financier,
      heldBy: boughtLater ? 'financier' : details.heldBy,
      machines: details.machines,
    },
  };
}

export function renderContract(c: ContractShow): string {
  const g = formatMoneyGrouped;
  const machines = c.contract.machines.map((m) => `${m.model} ${m.serialNo}`).join(', ') || '—';
  const header = [
    `合同 ${c.contractNo}  经销商 ${c.dealer} ${c.contract.dealerName}  状态 ${contractStatusName(c.status)}  截至 ${c.asOf}`,
    `客户 ${c.customer.name}${c.customer.idNumber ? `  证件 ${c.customer.idNumber}` : ''}${c.customer.phone ? `  电话 ${c.customer.phone}` : ''}  催收员 ${c.collector ?? '—'}`,
    `设备 ${machines}  签约 ${c.contract.signDate ?? '—'}  融资额 ${c.contract.financedAmount ? g(c.contract.financedAmount) : '—'}${
      c.contract.financier
        ? `  融资方 ${c.contract.financier}（${c.contract.heldBy === 'financier' ? '融资方持有' : '已回购，经销商持有'}）`
        : ''
    }`,
  ];
  const lines = table(c.lines, [
    { header: '期次', value: (l) => l.seq, align: 'right' },
    { header: '类型', value: (l) => receivableTypeName(l.type) },
    { header: '应还日期', value: (l) => l.dueDate },
    { header: '应还', value: (l) => g(l.amountDue), align: 'right' },
    { header: '已还', value: (l) => g(l.amountPaid), align: 'right' },
    { header: '未还', value: (l) => g(l.outstanding), align: 'right' },
    { header: '逾期天数', value: (l) => l.overdueDays || '', align: 'right' },
    { header: '罚息', value: (l) => g(l.penaltyAccrued), align: 'right' },
    { header: '未还罚息', value: (l) => g(l.penaltyOutstanding), align: 'right' },
  ]);
  const t = c.totals;
  const totals = `合计 应还 ${g(t.amountDue)}  已还 ${g(t.amountPaid)}  未还 ${g(t.outstanding)}  逾期 ${g(t.overdue)}  罚息 ${g(t.penaltyAccrued)}  未还罚息 ${g(t.penaltyOutstanding)}  预收 ${g(t.credit)}`;
  const badDebt =
    t.writtenOff !== '0.00' ? [`坏账核销 written off ${g(t.writtenOff)}  已收回 recovered ${g(t.recovered)}  (${c.statusDate ?? ''})`] : [];
  return [...header, '', lines, '', totals, ...badDebt].join('\n');
}
