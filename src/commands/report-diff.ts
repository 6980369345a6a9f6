// zq report diff: restated vs as reported on a night (reports/diff.ts). Human output in Chinese, JSON in English.
import type { Command } from 'commander';
import { table } from '../core/table.js';
import { act } from './context.js';

type DiffOut = import('../app/run.js').Output<'report.diff'>;

const FIGURE_NAMES = {
  outstanding: '未还',
  overdue: '逾期',
  amountPaid: '已还',
  penaltyAccrued: '罚息应计',
  penaltyPaid: '罚息已还',
  penaltyWaived: '罚息减免',
  penaltyOutstanding: '罚息未还',
  credit: '预收',
} as const;

type Money = typeof import('../core/money.js');
type Dates = typeof import('../core/dates.js');

function human(out: DiffOut, { formatMoneyGrouped, dec }: Money, { formatTimestamp }: Dates): string {
  const head = `${out.asOf} 当晚报告（快照于 ${formatTimestamp(out.takenAt)}${out.late ? '，补写' : ''}）与重述对比：`;
  if (out.contracts.length === 0) return `${head}没有差异`;
  const parts = [`${head}${out.contracts.length} 份合同有差异`];
  for (const c of out.contracts) {
    const keys = Object.keys(FIGURE_NAMES) as (keyof typeof FIGURE_NAMES)[];
    const rows = keys.filter((k) => c.reported[k] !== c.restated[k]);
    parts.push(
      `\n${c.dealer}/${c.contractNo}  ${c.customer}${c.collector ? `  催收员 ${c.collector}` : ''}`,
      table(rows, [
        { header: '项目', value: (k) => FIGURE_NAMES[k] },
        { header: '当晚报告', value: (k) => formatMoneyGrouped(c.reported[k]), align: 'right' },
        { header: '重述', value: (k) => formatMoneyGrouped(c.restated[k]), align: 'right' },
        { header: '差额', value: (k) => formatMoneyGrouped(dec(c.restated[k]).minus(c.reported[k])), align: 'right' },
      ]),
      ...(c.enteredAt ? [`合同于 ${formatTimestamp(c.enteredAt)} 录入（快照之后）`] : []),
      ...c.imports.map((i) => `导入 #${i.importId} ${i.file}（${i.by ?? ''}，${formatTimestamp(i.at)}）`),
      c.documents.length === 0
        ? '（无事后录入的单据）'
        : table(c.documents, [
            { header: '单据号', value: (d) => d.number },
            { header: '类型', value: (d) => d.type },
            { header: '起息日', value: (d) => d.valueDate },
            { header: '录入人', value: (d) => d.createdBy ?? '' },
            { header: '录入时间', value: (d) => formatTimestamp(d.createdAt) },
          ]),
    );
  }
  return parts.join('\n');
}

async function diff(opts: { asOf: string; contract?: string; dealer?: string }, cmd: Command): Promise<void> {
  const money = await import('../core/money.js');
  const dates = await import('../core/dates.js');
  await act(cmd, 'report.diff', { asOf: opts.asOf, contractNo: opts.contract, dealer: opts.dealer }, (out) => human(out, money, dates), {
    asOf: '--as-of',
    contractNo: '--contract',
    dealer: '--dealer',
  });
}

export function registerDiff(report: Command): void {
  report
    .command('diff')
    .description('contracts whose restated figures for a night differ from what was reported that night, and the documents why')
    .requiredOption('--as-of <date>', 'the night (a business date with a report snapshot)')
    .option('--contract <no>', 'only this contract')
    .option('--dealer <code>', 'the contract’s dealer, where the number exists at more than one; without --contract, only this dealer')
    .action(diff);
}
