// `zq import`: one file = one transaction. Read (streamed) → resolve dealers and collectors → stage → merge;
// any bad row rejects the whole file unless --skip-invalid; --dry-run validates and merges, then rolls back.
// Every attempt that is not a dry run is recorded (imports, import_errors, import_changes) for `zq import show`.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Actor } from '../access/actor.js';
import { commandPermission, hasRole } from '../access/permissions.js';
import { dealerInScope, scopeOf } from '../access/scope.js';
import { writeAudit } from '../audit/index.js';
import { type BusinessDate, formatTimestamp } from '../core/dates.js';
import { BadInput, NotAllowed } from '../core/errors.js';
import type { Db, Tx } from '../db/index.js';
import type { ColumnValue } from '../db/rows.js';
import { addDealer } from '../organisation/index.js';
import type { ImportKind, MappingFile } from './headers.js';
import { crossRowProblems, dropContracts, LEDGER_COLUMNS, LEDGER_STAGE, type LedgerCounts, mergeLedger } from './ledger.js';
import { ERRORS_HEADER } from './outputs.js';
import { importReceiptRows, type ReceiptCounts, type StagedReceipt } from './receipts.js';
import { type LedgerValues, type ReceiptValues, type RowResult, readImportFile } from './rows.js';
import { createStageTable, openStageWriter } from './stage.js';

/** Row errors kept in the database per import (all of them go to the errors file). */
export const MAX_STORED_ERRORS = 10_000;
/** Row errors printed on the terminal per file. */
export const MAX_PRINTED_ERRORS = 10;

export interface ImportOptions {
  kind?: ImportKind | undefined;
  dealer?: string | undefined;
  asOf?: BusinessDate | undefined;
  mapping?: MappingFile | undefined;
  sheet?: string | undefined;
  dryRun?: boolean | undefined;
  skipInvalid?: boolean | undefined;
  createDealers?: boolean | undefined;
  receiptStatus?: 'confirmed' | 'registered' | undefined;
}

import type { ImportProblem } from './rows.js';

export type { ImportProblem };

export interface ImportSummary {
  file: string;
  importId: number | null;
  kind: ImportKind | null;
  status: 'imported' | 'rejected' | 'unchanged' | 'dry_run';
  dealer: string | null;
  asOf: BusinessDate | null;
  rowsRead: number;
  rowsImported: number;
  rowsRejected: number;
  counts: Partial<LedgerCounts & ReceiptCounts>;
  warnings: string[];
  errors: ImportProblem[];
  errorCount: number;
  changes: { entity: string; key: string; field: string; old: string | null; new: string | null; outcome: string; reason: string | null }[];
  previousImport: { id: number; at: string } | null;
  /** Receipts: how they were written — registered when the actor may not confirm and no --status was given. */
  receiptStatus: 'confirmed' | 'registered' | null;
  durationMs: number;
}

/** Rows read so far; `merging` once the file is read and its rows are being written. */
export type Progress = (file: string, rows: number, phase: 'reading' | 'merging') => void;

/** Whether the actor may run a command of the matrix (a role of its line suffices). */
function mayRun(actor: Actor, command: string): boolean {
  return hasRole(actor, commandPermission(command).roles);
}

/**
 * What may be refused before the file is read (exit 3, nothing written): --create-dealers by a role that may
 * not add dealers, --dealer out of the actor's scope, --status confirmed by a role that may not confirm.
 * Returns the receipts' status: confirmed when the actor may confirm, else registered.
 */
function checkAllowed(actor: Actor, options: ImportOptions, fixedDealer: number | undefined): 'confirmed' | 'registered' {
  if (options.createDealers && !mayRun(actor, 'dealer add')) {
    throw new NotAllowed(
      `${actor.username} may not let an import create dealers: creating dealers needs one of ${commandPermission('dealer add').roles.join(', ')}`,
    );
  }
  if (fixedDealer !== undefined && !dealerInScope(actor, fixedDealer)) {
    throw new NotAllowed(`${actor.username} may not import for dealer ${options.dealer}`);
  }
  const mayConfirm = mayRun(actor, 'receipt confirm');
  if (options.receiptStatus === 'confirmed' && !mayConfirm) {
    throw new NotAllowed(
      `--status confirmed: ${actor.username} may not confirm receipts (it needs one of ${commandPermission('receipt confirm').roles.join(', ')}); import them with --status registered`,
    );
  }
  return options.receiptStatus ?? (mayConfirm ? 'confirmed' : 'registered');
}

export async function fileHash(file: string): Promise<{ hash: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { hash: hash.digest('hex'), size };
}

class Rejected extends Error {}
class DryRun extends Error {}

interface Lookups {
  dealers: Map<string, number>; // code and name → id
  dealerCodes: Map<number, string>;
  users: Map<string, number[]>; // username and name → ids
  userDealer: Map<number, number | null>;
}

type CollectorMatch = { id: number } | { unknown: true } | { elsewhere: true } | { ambiguous: true };

async function loadLookups(db: Db): Promise<Lookups> {
  const dealers = new Map<string, number>();
  const dealerCodes = new Map<number, string>();
  for (const d of await db.knex('dealers').where({ kind: 'dealer' }).select('id', 'code', 'name')) {
    dealers.set(d.code, d.id);
    dealers.set(d.code.toUpperCase(), d.id);
    if (!dealers.has(d.name)) dealers.set(d.name, d.id);
    dealerCodes.set(d.id, d.code);
  }
  const users = new Map<string, number[]>();
  const userDealer = new Map<number, number | null>();
  for (const u of await db.knex('users').where({ active: true }).select('id', 'username', 'name', 'dealer_id')) {
    for (const key of [u.username, u.name]) users.set(key, [...(users.get(key) ?? []), u.id]);
    userDealer.set(u.id, u.dealer_id);
  }
  return { dealers, dealerCodes, users, userDealer };
}

/** The collector a row names: a user of the row's dealer (or of no dealer, group staff), never another dealer's. */
function matchCollector(lookups: Lookups, value: string, dealerId: number): CollectorMatch {
  const ids = [...new Set(lookups.users.get(value) ?? [])];
  if (ids.length === 0) return { unknown: true };
  const here = ids.filter((id) => lookups.userDealer.get(id) === dealerId);
  const groupStaff = ids.filter((id) => lookups.userDealer.get(id) === null);
  const candidates = here.length > 0 ? here : groupStaff;
  if (candidates.length === 0) return { elsewhere: true };
  return candidates.length === 1 ? { id: candidates[0] as number } : { ambiguous: true };
}

function toProblem(row: RowResult): ImportProblem[] {
  return row.errors.map((e) => ({
    file: row.file,
    sheet: row.sheet,
    rowNumber: row.rowNumber,
    column: e.column,
    value: e.value,
    reason: e.reason,
  }));
}

export async function importFile(db: Db, actor: Actor, file: string, options: ImportOptions, progress?: Progress): Promise<ImportSummary> {
  const started = Date.now();
  // Named as given: hf/ledger.csv and wh/ledger.csv are two files.
  const displayName = file;
  if (!fs.existsSync(file)) throw new BadInput('files', file, 'an existing CSV, text or XLSX file');
  if (!fs.statSync(file).isFile()) throw new BadInput('files', file, 'a file (not a folder)');
  const { hash, size } = await fileHash(file);
  const previous = await db.knex('imports').where({ file_hash: hash, status: 'imported' }).orderBy('id', 'desc').first('id', 'started_at');
  const extraTypes = (await db.knex('receivable_types').select('code', 'name_zh')).map((t) => ({ code: t.code, names: [t.name_zh] }));
  const lookups = await loadLookups(db);
  const fixedDealer = options.dealer ? lookups.dealers.get(options.dealer) : undefined;
  // to a user of one dealer an unknown code and another dealer's look the same: neither says whether it exists
  if (options.dealer && fixedDealer === undefined && scopeOf(actor).kind !== 'group') {
    throw new NotAllowed(`${actor.username} may not import for dealer ${options.dealer}`);
  }
  if (options.dealer && fixedDealer === undefined && !options.createDealers) {
    throw new BadInput('dealer', options.dealer, 'a known dealer code, or let the import create dealers (createDealers)').suggest({
      action: 'dealer.list',
    });
  }
  const receiptStatus = checkAllowed(actor, options, fixedDealer);
  const scope = scopeOf(actor);
  const reader = readImportFile(file, {
    kind: options.kind,
    sheet: options.sheet,
    mapping: options.mapping,
    dealer: options.dealer,
    extraTypes,
  });

  const summary: ImportSummary = {
    file: displayName,
    importId: null,
    kind: options.kind ?? null,
    status: 'imported',
    dealer: options.dealer ?? null,
    asOf: options.asOf ?? null,
    rowsRead: 0,
    rowsImported: 0,
    rowsRejected: 0,
    counts: {},
    warnings: [],
    errors: [],
    errorCount: 0,
    changes: [],
    previousImport: previous ? { id: previous.id, at: formatTimestamp(previous.started_at) } : null,
    receiptStatus: null,
    durationMs: 0,
  };
  const problems: ImportProblem[] = [];
  const addProblem = (p: ImportProblem) => {
    summary.errorCount++;
    if (problems.length < MAX_STORED_ERRORS) problems.push(p);
  };
  const unknownCollectors = new Map<string, number>();
  const badContracts = new Map<string, { dealerId: number; contractNo: string }>();
  const rejectedRows = new Set<string>();
  // The dealers the file concerns (import_dealers): what scopes `zq import list` and `show`.
  const dealersSeen = new Set<number>();
  if (fixedDealer !== undefined) dealersSeen.add(fixedDealer);
  if (scope.kind !== 'group' && actor.dealerId !== null) dealersSeen.add(actor.dealerId);

  const run = async (tx: Tx) => {
    const [record] = await tx('imports')
      .insert({
        file_name: displayName,
        file_hash: hash,
        file_size: size,
        kind: options.kind ?? 'ledger',
        dealer_id: fixedDealer ?? null,
        as_of: options.asOf ?? null,
        status: 'imported',
        actor_id: actor.id,
      })
      .returning('id');
    const importId = record.id as number;
    summary.importId = importId;

    const resolveDealer = async (value: string | null, row: RowResult): Promise<number | null> => {
      const key = value ?? options.dealer ?? null;
      if (key === null) {
        addProblem({
          file: displayName,
          sheet: row.sheet,
          rowNumber: row.rowNumber,
          column: '经销商',
          value: '',
          reason: 'a dealer: a 经销商 column or --dealer CODE',
        });
        return null;
      }
      const id = lookups.dealers.get(key) ?? lookups.dealers.get(key.toUpperCase());
      if (id !== undefined) {
        // Another dealer's row refuses the whole file (the transaction rolls back: nothing written).
        if (!dealerInScope(actor, id)) {
          throw new NotAllowed(
            `${actor.username} may not import for dealer ${lookups.dealerCodes.get(id) ?? key} (${displayName}${row.sheet ? ` sheet ${row.sheet}` : ''} row ${row.rowNumber}, column 经销商)`,
          );
        }
        dealersSeen.add(id);
        return id;
      }
      if (options.createDealers && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/.test(key)) {
        const dealer = await addDealer(tx, actor, { code: key, name: key });
        lookups.dealers.set(key, dealer.id);
        lookups.dealerCodes.set(dealer.id, dealer.code);
        dealersSeen.add(dealer.id);
        summary.warnings.push(`dealer ${key} created with its code as its name: give it its real name`);
        return dealer.id;
      }
      addProblem({
        file: displayName,
        sheet: row.sheet,
        rowNumber: row.rowNumber,
        column: '经销商',
        value: key,
        reason: 'a known dealer code or name, or let the import create dealers (createDealers)',
      });
      return null;
    };

    let kind: ImportKind | null = options.kind ?? null;
    let writer: Awaited<ReturnType<typeof openStageWriter>> | null = null;
    const receiptRows: StagedReceipt[] = [];
    let position = 0;
    try {
      for await (const row of reader.rows()) {
        summary.rowsRead++;
        if (summary.rowsRead % 10_000 === 0) progress?.(displayName, summary.rowsRead, 'reading');
        if (kind === null) kind = row.kind;
        // Only rows that are rejected need their key.
        const rowKey = () => `${row.sheet ?? ''}:${row.rowNumber}`;
        const contractNo = (row.values as { contract_no?: string }).contract_no;
        if (!row.ok) {
          for (const p of toProblem(row)) addProblem({ ...p, file: displayName });
          rejectedRows.add(rowKey());
          const dealerGuess = fixedDealer ?? lookups.dealers.get((row.values as { dealer?: string }).dealer ?? '');
          if (contractNo && dealerGuess !== undefined)
            badContracts.set(`${dealerGuess}|${contractNo}`, { dealerId: dealerGuess, contractNo });
          continue;
        }
        if (row.kind === 'receipts') {
          // Receipt files have no dealer column: --dealer, else the contract number decides (if unique).
          receiptRows.push({ row, dealerId: fixedDealer ?? null, position: position++ });
          if (receiptRows.length > MAX_RECEIPT_ROWS) {
            throw new BadInput('files', displayName, `a receipts file of at most ${MAX_RECEIPT_ROWS} rows (split it)`);
          }
          continue;
        }
        const v = row.values as LedgerValues;
        const dealerId = fixedDealer ?? (await resolveDealer(v.dealer, row));
        if (dealerId === null) {
          rejectedRows.add(rowKey());
          continue;
        }
        let collector: number | null = null;
        if (v.collector) {
          const match = matchCollector(lookups, v.collector, dealerId);
          if ('elsewhere' in match) {
            addProblem({
              file: displayName,
              sheet: row.sheet,
              rowNumber: row.rowNumber,
              column: '催收员',
              value: v.collector,
              reason: `a collector of dealer ${lookups.dealerCodes.get(dealerId)}: this user is at another dealer`,
            });
            rejectedRows.add(rowKey());
            if (v.contract_no) badContracts.set(`${dealerId}|${v.contract_no}`, { dealerId, contractNo: v.contract_no });
            continue;
          }
          if ('id' in match) collector = match.id;
          else unknownCollectors.set(v.collector, (unknownCollectors.get(v.collector) ?? 0) + 1);
        }
        if (writer === null) {
          await createStageTable(tx, LEDGER_STAGE, LEDGER_COLUMNS);
          // --create-dealers writes dealers mid-stream, which a COPY holding the connection would block.
          writer = await openStageWriter(tx, db.kind, LEDGER_STAGE, LEDGER_COLUMNS, { free: options.createDealers === true });
        }
        const values: ColumnValue[] = [
          row.sheet,
          row.rowNumber,
          dealerId,
          v.contract_no,
          v.customer_name,
          v.id_number,
          v.phone,
          v.machine_model,
          v.serial_no,
          v.sign_date,
          v.contract_amount,
          collector,
          v.seq,
          v.type,
          v.due_date,
          v.amount_due,
          v.amount_paid,
          v.penalty_accrued,
          v.penalty_paid,
        ];
        await writer.push(values);
      }
    } catch (error) {
      await writer?.abort();
      throw error;
    }
    progress?.(displayName, summary.rowsRead, 'merging');
    // On a server the COPY holds the connection: finish it before any other statement of the transaction.
    await writer?.close();
    for (const e of reader.errors) {
      addProblem({ file: displayName, sheet: e.sheet, rowNumber: e.rowNumber, column: e.column, value: null, reason: e.reason });
    }
    summary.kind = kind ?? reader.kind;
    for (const [name, count] of unknownCollectors) {
      summary.warnings.push(`collector ${JSON.stringify(name)} is not a user (${count} row(s)): contracts left unassigned`);
    }
    if (summary.kind === 'ledger' && !options.asOf) {
      throw new BadInput('asOf', null, 'the cut-over date of the ledger’s figures (amounts paid and penalty as of that day)');
    }
    await tx('imports')
      .where({ id: importId })
      .update({ kind: summary.kind ?? 'ledger' });
    const fileLevel = reader.errors.length > 0;

    if (summary.kind === 'ledger' && writer !== null) {
      for (const p of await crossRowProblems(tx)) {
        addProblem({ file: displayName, sheet: p.sheet, rowNumber: p.rowNumber, column: p.column, value: p.value, reason: p.reason });
        rejectedRows.add(`${p.sheet ?? ''}:${p.rowNumber}`);
        badContracts.set(`${p.dealerId}|${p.contractNo}`, { dealerId: p.dealerId, contractNo: p.contractNo });
      }
    }
    summary.rowsRejected = rejectedRows.size;
    if (fileLevel || (summary.errorCount > 0 && !options.skipInvalid)) throw new Rejected();

    if (summary.kind === 'ledger' && writer !== null) {
      await dropContracts(tx, [...badContracts.values()]);
      // What is written is what is left staged; a bad row of a contract was staged too (cross-row problems).
      const written = await stagedRows(tx);
      const leftOut = summary.rowsRead - summary.rowsRejected - written;
      if (leftOut > 0) summary.warnings.push(`${leftOut} valid row(s) left out with their contract, which has a bad row`);
      summary.counts = await mergeLedger(tx, importId, actor.id, options.asOf as BusinessDate);
      summary.rowsImported = written;
    } else if (summary.kind === 'receipts') {
      summary.counts = await importReceiptRows(tx, actor, importId, receiptRows, {
        status: receiptStatus,
        actor,
        dealerCodes: lookups.dealerCodes,
        addProblem: (p) => {
          addProblem({ ...p, file: displayName });
          rejectedRows.add(`${p.sheet ?? ''}:${p.rowNumber}`);
        },
      });
      summary.rowsRejected = rejectedRows.size;
      if (summary.errorCount > 0 && !options.skipInvalid) throw new Rejected();
      summary.rowsImported = (summary.counts.receiptsCreated ?? 0) + (summary.counts.receiptsRegistered ?? 0);
      summary.receiptStatus = receiptStatus;
      for (const id of await tx('import_keys').where({ import_id: importId }).distinct().pluck('dealer_id')) dealersSeen.add(id);
    }
    summary.changes = (
      await tx('import_changes')
        .where({ import_id: importId })
        .orderBy('id')
        .limit(MAX_STORED_ERRORS)
        .select('entity', 'entity_key', 'field', 'old_value', 'new_value', 'outcome', 'reason')
    ).map((c) => ({
      entity: c.entity,
      key: c.entity_key,
      field: c.field,
      old: c.old_value,
      new: c.new_value,
      outcome: c.outcome,
      reason: c.reason,
    }));
    const { linesNotInFile = 0, conflicts = 0, receiptsDuplicate = 0, ...effects } = summary.counts;
    if (linesNotInFile > 0)
      summary.warnings.push(`${linesNotInFile} stored line(s) of these contracts are not in the file: kept as they are`);
    if (receiptsDuplicate > 0) summary.warnings.push(`${receiptsDuplicate} receipt row(s) were imported before: skipped`);
    if (Object.values(effects).every((v) => !v) && conflicts === 0) {
      summary.status = 'unchanged';
      summary.rowsImported = 0;
    }
    await saveProblems(tx, importId, problems);
    await saveDealers(tx, importId, dealersSeen);
    await tx('imports')
      .where({ id: importId })
      .update({
        status: summary.status,
        rows_read: summary.rowsRead,
        rows_imported: summary.rowsImported,
        rows_rejected: summary.rowsRejected,
        counts: JSON.stringify({ ...summary.counts, warnings: summary.warnings }),
        finished_at: tx.fn.now(),
        duration_ms: Date.now() - started,
      });
    await writeAudit(tx, actor, {
      action: 'import',
      entity: 'import',
      entityId: importId,
      dealerId: fixedDealer ?? null,
      details: { file: displayName, hash, kind: summary.kind, status: summary.status, counts: summary.counts },
    });
    if (options.dryRun) throw new DryRun();
  };

  try {
    await db.knex.transaction(run);
  } catch (error) {
    if (error instanceof DryRun) {
      summary.status = 'dry_run';
      summary.importId = null;
    } else if (error instanceof Rejected) {
      summary.status = 'rejected';
      summary.rowsImported = 0;
      summary.importId = options.dryRun
        ? null
        : await recordRejected(db, actor, { summary, hash, size, fixedDealer, problems, started, dealers: dealersSeen });
      summary.counts = {};
      summary.changes = [];
    } else {
      throw error;
    }
  }
  summary.errors = problems;
  summary.durationMs = Date.now() - started;
  return summary;
}

/** Rows of one receipts file kept in memory for value-date ordering. */
export const MAX_RECEIPT_ROWS = 200_000;

async function stagedRows(tx: Tx): Promise<number> {
  const [row] = await tx(LEDGER_STAGE).count<{ n: string | number }[]>({ n: '*' });
  return Number(row?.n ?? 0);
}

async function saveDealers(tx: Tx, importId: number, dealers: ReadonlySet<number>): Promise<void> {
  if (dealers.size > 0) await tx('import_dealers').insert([...dealers].map((dealerId) => ({ import_id: importId, dealer_id: dealerId })));
}

async function saveProblems(tx: Tx, importId: number, problems: readonly ImportProblem[]): Promise<void> {
  const BATCH = 1000;
  for (let i = 0; i < problems.length; i += BATCH) {
    await tx('import_errors').insert(
      problems.slice(i, i + BATCH).map((p) => ({
        import_id: importId,
        file: p.file,
        sheet: p.sheet,
        row_number: p.rowNumber,
        column_name: p.column,
        value: p.value,
        reason: p.reason,
      })),
    );
  }
}

async function recordRejected(
  db: Db,
  actor: Actor,
  r: {
    summary: ImportSummary;
    hash: string;
    size: number;
    fixedDealer: number | undefined;
    problems: ImportProblem[];
    started: number;
    dealers: ReadonlySet<number>;
  },
): Promise<number> {
  return db.knex.transaction(async (tx) => {
    const [record] = await tx('imports')
      .insert({
        file_name: r.summary.file,
        file_hash: r.hash,
        file_size: r.size,
        kind: r.summary.kind ?? 'ledger',
        dealer_id: r.fixedDealer ?? null,
        as_of: r.summary.asOf,
        status: 'rejected',
        rows_read: r.summary.rowsRead,
        rows_rejected: r.summary.rowsRejected,
        counts: JSON.stringify({ warnings: r.summary.warnings }),
        actor_id: actor.id,
        finished_at: tx.fn.now(),
        duration_ms: Date.now() - r.started,
      })
      .returning('id');
    await saveProblems(tx, record.id, r.problems);
    await saveDealers(tx, record.id, r.dealers);
    await writeAudit(tx, actor, {
      action: 'reject',
      entity: 'import',
      entityId: record.id,
      details: { file: r.summary.file, hash: r.hash, errors: r.summary.errorCount },
    });
    return record.id as number;
  });
}

/** The error file: CSV with a UTF-8 BOM so that Excel opens the Chinese text correctly. */
export function writeErrorsFile(target: string, summaries: readonly ImportSummary[]): number {
  const quote = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [ERRORS_HEADER];
  let count = 0;
  for (const s of summaries) {
    for (const e of s.errors) {
      lines.push([e.file, e.sheet, e.rowNumber, e.column, e.value, e.reason].map(quote).join(','));
      count++;
    }
  }
  fs.writeFileSync(target, `\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
  return count;
}

export type { ReceiptValues };
