// `zq import`: one file = one transaction. Read (streamed) → resolve dealers and collectors → stage → merge;
// any bad row rejects the whole file unless --skip-invalid; --dry-run validates and merges, then rolls back.
// Every attempt that is not a dry run is recorded (imports, import_errors, import_changes) for `zq import show`.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Actor } from '../access/actor.js';
import { writeAudit } from '../audit/index.js';
import type { BusinessDate } from '../core/dates.js';
import { BadInput } from '../core/errors.js';
import type { Db, Tx } from '../db/index.js';
import type { ColumnValue } from '../db/rows.js';
import { addDealer } from '../organisation/index.js';
import type { ImportKind, MappingFile } from './headers.js';
import { crossRowProblems, dropContracts, LEDGER_COLUMNS, LEDGER_STAGE, type LedgerCounts, mergeLedger } from './ledger.js';
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
  durationMs: number;
}

export type Progress = (file: string, rows: number) => void;

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

function collectorId(lookups: Lookups, value: string, dealerId: number): number | null {
  const ids = [...new Set(lookups.users.get(value) ?? [])];
  if (ids.length <= 1) return ids[0] ?? null;
  // The same name twice: the one at this dealer.
  const here = ids.filter((id) => lookups.userDealer.get(id) === dealerId);
  return here.length === 1 ? (here[0] ?? null) : null;
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
  const displayName = path.basename(file);
  if (!fs.existsSync(file)) throw new BadInput('FILE', file, 'an existing CSV, text or XLSX file');
  const { hash, size } = await fileHash(file);
  const previous = await db.knex('imports').where({ file_hash: hash, status: 'imported' }).orderBy('id', 'desc').first('id', 'started_at');
  const extraTypes = (await db.knex('receivable_types').select('code', 'name_zh')).map((t) => ({ code: t.code, names: [t.name_zh] }));
  const lookups = await loadLookups(db);
  const fixedDealer = options.dealer ? lookups.dealers.get(options.dealer) : undefined;
  if (options.dealer && fixedDealer === undefined && !options.createDealers) {
    throw new BadInput('--dealer', options.dealer, 'a known dealer code (zq dealer list), or add --create-dealers');
  }
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
    previousImport: previous ? { id: previous.id, at: new Date(previous.started_at).toISOString() } : null,
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
      if (id !== undefined) return id;
      if (options.createDealers && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/.test(key)) {
        const dealer = await addDealer(tx, actor, { code: key, name: key });
        lookups.dealers.set(key, dealer.id);
        lookups.dealerCodes.set(dealer.id, dealer.code);
        summary.warnings.push(`dealer ${key} created (--create-dealers); give it its name with \`zq dealer update ${key} --name …\``);
        return dealer.id;
      }
      addProblem({
        file: displayName,
        sheet: row.sheet,
        rowNumber: row.rowNumber,
        column: '经销商',
        value: key,
        reason: 'a known dealer code or name (zq dealer list), or --create-dealers',
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
        if (summary.rowsRead % 10_000 === 0) progress?.(displayName, summary.rowsRead);
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
            throw new BadInput('FILE', displayName, `a receipts file of at most ${MAX_RECEIPT_ROWS} rows (split it)`);
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
          collector = collectorId(lookups, v.collector, dealerId);
          if (collector === null) unknownCollectors.set(v.collector, (unknownCollectors.get(v.collector) ?? 0) + 1);
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
    progress?.(displayName, summary.rowsRead);
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
      throw new BadInput('--as-of', null, 'the cut-over date of the ledger’s figures (amounts paid and penalty as of that day)');
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
      const dropped = await dropContracts(tx, [...badContracts.values()]);
      if (dropped > 0) summary.warnings.push(`${dropped} valid row(s) left out with their contract, which has a bad row`);
      summary.counts = await mergeLedger(tx, importId, actor.id, options.asOf as BusinessDate);
      summary.rowsImported = summary.rowsRead - summary.rowsRejected - dropped;
    } else if (summary.kind === 'receipts') {
      summary.counts = await importReceiptRows(tx, actor, importId, receiptRows, {
        status: options.receiptStatus ?? 'confirmed',
        dealerCodes: lookups.dealerCodes,
        addProblem: (p) => {
          addProblem({ ...p, file: displayName });
          rejectedRows.add(`${p.sheet ?? ''}:${p.rowNumber}`);
        },
      });
      summary.rowsRejected = rejectedRows.size;
      if (summary.errorCount > 0 && !options.skipInvalid) throw new Rejected();
      summary.rowsImported = (summary.counts.receiptsCreated ?? 0) + (summary.counts.receiptsRegistered ?? 0);
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
      summary.importId = options.dryRun ? null : await recordRejected(db, actor, { summary, hash, size, fixedDealer, problems, started });
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
  r: { summary: ImportSummary; hash: string; size: number; fixedDealer: number | undefined; problems: ImportProblem[]; started: number },
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
  const lines = ['文件 file,工作表 sheet,行号 row,列 column,值 value,原因 reason'];
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
