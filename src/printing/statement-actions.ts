// `statement.print`: the statements of account (对账单) of a customer, a contract, a collector's or a dealer's
// customers for a period, printed as PDF (or HTML, or a workbook) into a folder or one file. A read: what the
// actor may not see is not found (a customer, contract, collector or dealer outside their data scope), and a
// collector's statements hold only the contracts in their scope.
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { defineAction } from '../access/action.js';
import type { Actor } from '../access/actor.js';
import { EVERYONE } from '../access/role-sets.js';
import { scopeContracts } from '../access/scope.js';
import { type BusinessDate, parseDate } from '../core/dates.js';
import { BadInput, NotFound, Refused } from '../core/errors.js';
import type { Tx } from '../db/index.js';
import { type ContractRef, findContract } from '../receivables/contracts.js';
import { checkScope } from '../reports/scope.js';
import { checkReportTarget } from '../reports/xlsx.js';
import { buildStatement, readStatementFacts, type Statement } from './statement.js';
import {
  STATEMENT_FORMATS,
  type StatementFormat,
  type StatementProgress,
  type Target,
  type WriteResult,
  writeStatements,
} from './statement-files.js';

/** Ten years: a named limit on the period one statement covers. */
export const STATEMENT_PERIOD_MAX_DAYS = 3660;

export interface StatementRaw {
  customer?: string | undefined;
  contract?: string | undefined;
  collector?: string | undefined;
  dealer?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  out?: string | undefined;
  merge?: boolean | undefined;
  format?: string | undefined;
  force?: boolean | undefined;
  /** Called once the statements are read: returns what is told as each customer's statement is written. */
  progress?: (() => StatementProgress) | undefined;
}

export type StatementWho =
  | { kind: 'customer'; id: number }
  | { kind: 'contract'; contractNo: string; dealer: string | undefined }
  | { kind: 'collector'; username: string }
  | { kind: 'dealer'; code: string };

export interface StatementRequest {
  who: StatementWho;
  from: BusinessDate;
  to: BusinessDate;
  target: Target;
  format: StatementFormat;
  merge: boolean;
  force: boolean;
  progress: (() => StatementProgress) | undefined;
}

function parseWho(raw: StatementRaw): StatementWho {
  const given = (['customer', 'contract', 'collector', 'dealer'] as const).filter((k) => raw[k] !== undefined);
  // --dealer beside --contract names the contract's dealer
  const named = raw.contract !== undefined ? given.filter((k) => k !== 'dealer') : given;
  if (named.length !== 1)
    throw new BadInput(named[1] ?? 'customer', null, 'exactly one of --customer ID, --contract NO, --collector USER, --dealer CODE');
  if (raw.contract !== undefined) return { kind: 'contract', contractNo: raw.contract.trim(), dealer: raw.dealer };
  if (raw.customer !== undefined) {
    if (!/^[1-9][0-9]{0,17}$/.test(raw.customer.trim())) throw new BadInput('customer', raw.customer, "a customer's id, a whole number");
    return { kind: 'customer', id: Number(raw.customer.trim()) };
  }
  if (raw.collector !== undefined) return { kind: 'collector', username: raw.collector };
  return { kind: 'dealer', code: raw.dealer as string };
}

function parseTarget(raw: StatementRaw, format: StatementFormat, merge: boolean, force: boolean): Target {
  const out = raw.out ?? '.';
  const isFile = path.extname(out).toLowerCase() === `.${merge ? 'pdf' : format}`;
  if (merge && !isFile) throw new BadInput('out', raw.out ?? null, 'a FILE.pdf to merge every statement into (--merge --out FILE.pdf)');
  if (isFile) {
    checkReportTarget(out);
    if (fs.existsSync(out) && !force) throw new BadInput('out', out, 'a file that does not exist yet (--force replaces it)');
    return { kind: 'file', file: out };
  }
  if (!fs.existsSync(out) || !fs.statSync(out).isDirectory())
    throw new BadInput('out', out, `an existing folder for one file per customer, or a FILE.${format}`);
  try {
    fs.accessSync(out, fs.constants.W_OK);
  } catch {
    throw new BadInput('out', out, 'a folder you may write to');
  }
  return { kind: 'dir', dir: out };
}

export function parseStatement(raw: StatementRaw): StatementRequest {
  const who = parseWho(raw);
  if (raw.from === undefined) throw new BadInput('from', null, 'the first date of the period, YYYY-MM-DD');
  if (raw.to === undefined) throw new BadInput('to', null, 'the last date of the period, YYYY-MM-DD');
  const from = parseDate(raw.from, 'from');
  const to = parseDate(raw.to, 'to');
  if (from > to) throw new BadInput('to', to, `a date on or after --from ${from}`);
  const format = raw.format ?? 'pdf';
  if (!(STATEMENT_FORMATS as readonly string[]).includes(format)) throw new BadInput('format', format, STATEMENT_FORMATS.join(', '));
  const merge = raw.merge === true;
  if (merge && format !== 'pdf') throw new BadInput('merge', format, 'PDF statements (--format pdf) to merge into one file');
  const force = raw.force === true;
  const target = parseTarget(raw, format as StatementFormat, merge, force);
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
  if (days > STATEMENT_PERIOD_MAX_DAYS) throw new BadInput('to', to, `a period of at most ${STATEMENT_PERIOD_MAX_DAYS} days from ${from}`);
  return { who, from, to, target, format: format as StatementFormat, merge, force, progress: raw.progress };
}

const REF_COLUMNS = [
  'c.id',
  'c.dealer_id as dealerId',
  'd.code as dealer',
  'c.contract_no as contractNo',
  'c.status',
  'c.status_date as statusDate',
  'c.cutover_date as cutoverDate',
  'c.customer_id as customerId',
] as const;

/** The contracts of the statements, in the actor's scope, by customer (in the order of dealer, customer name, id). */
export async function statementContracts(
  knex: Knex,
  actor: Actor,
  who: StatementWho,
  from: BusinessDate,
): Promise<{ customerId: number; contracts: ContractRef[] }[]> {
  const q = scopeContracts(
    knex('contracts as c').join('dealers as d', 'd.id', 'c.dealer_id').join('customers as cu', 'cu.id', 'c.customer_id'),
    actor,
    'c',
  )
    .select(...REF_COLUMNS)
    .orderBy([{ column: 'd.code' }, { column: 'cu.name' }, { column: 'cu.id' }, { column: 'c.contract_no' }]);
  if (who.kind === 'contract') {
    const ref = await findContract(knex, who.contractNo, who.dealer, actor);
    q.where('c.id', ref.id);
  } else if (who.kind === 'customer') {
    q.where('c.customer_id', who.id);
  } else {
    await checkScope(knex, actor, who.kind === 'collector' ? { collector: who.username } : { dealer: who.code });
    if (who.kind === 'collector') q.whereIn('c.collector_id', knex('users').where('username', who.username).select('id'));
    else q.whereRaw('upper(d.code) = upper(?)', [who.code]);
    // a contract closed before the period has nothing to say in it
    q.where((w) => w.whereNull('c.status_date').orWhere('c.status_date', '>=', from));
  }
  const rows = (await q) as (ContractRef & { customerId: number })[];
  if (rows.length === 0 && who.kind === 'customer') throw new NotFound('customer', who.id);
  const byCustomer = new Map<number, ContractRef[]>();
  for (const { customerId, ...ref } of rows) byCustomer.set(customerId, [...(byCustomer.get(customerId) ?? []), ref]);
  return [...byCustomer].map(([customerId, contracts]) => ({ customerId, contracts }));
}

/** The statements of the request, read in the actor's scope. */
export async function readStatements(knex: Knex, actor: Actor, input: Pick<StatementRequest, 'who' | 'from' | 'to'>): Promise<Statement[]> {
  const statements: Statement[] = [];
  for (const { customerId, contracts } of await statementContracts(knex, actor, input.who, input.from)) {
    statements.push(buildStatement(await readStatementFacts(knex, customerId, contracts, input.from, input.to)));
  }
  return statements;
}

export interface StatementPrintResult extends WriteResult {
  from: BusinessDate;
  to: BusinessDate;
  format: StatementFormat;
  failed: { customer: string; error: string }[];
}

export const statementPrint = defineAction({
  name: 'statement.print',
  summary: 'print statements of account (对账单) for a period: a customer, a contract, a collector’s or a dealer’s customers',
  roles: EVERYONE,
  mutates: false,
  parse: parseStatement,
  run: async (tx: Tx, actor, input): Promise<StatementPrintResult> => {
    const statements = await readStatements(tx, actor, input);
    if (input.target.kind === 'file' && statements.length === 0)
      throw new Refused(`no contract in your data scope is open in the period ${input.from} to ${input.to}: no statement to print`);
    if (input.target.kind === 'file' && !input.merge && statements.length !== 1)
      throw new BadInput(
        'out',
        input.target.file,
        `a folder: ${statements.length} customers' statements (or --merge to put them in one PDF)`,
      );
    const written = await writeStatements(statements, {
      target: input.target,
      format: input.format,
      merge: input.merge,
      force: input.force,
      printedBy: actor.name,
      progress: input.progress?.(),
    });
    const failed = written.statements.filter((s) => s.status === 'failed').map((s) => ({ customer: s.customer, error: s.error ?? '' }));
    return { ...written, from: input.from, to: input.to, format: input.format, failed };
  },
});

export const statementActions = [statementPrint] as const;
