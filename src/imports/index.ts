// `zq import`: one file = one transaction. Read (streamed) → resolve dealers and collectors → stage → merge;
// any bad row rejects the whole file unless --skip-invalid; --dry-run validates and merges, then rolls back.
// Every attempt that is not a dry run is recorded (imports, import_errors, import_changes) for `zq import show`.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Actor } from '../access/actor.js';
import { hasRole } from '../access/permissions.js';
import { dealerInScope, scopeOf } from '../access/scope.js';
import { writeAudit } from '../audit/index.js';
import { type BusinessDate, formatTimestamp } from '../core/dates.js';
import { BadInput, NotAllowed } from '../core/errors.js';
import type { Db, Tx } from '../db/index.js';
import type { ColumnValue } from '../db/rows.js';
import { dealerAdd } from '../organisation/actions.js';
import { addDealer } from '../organisation/index.js';
import { receiptConfirm } from '../receivables/receipt-actions.js';
import type { ImportKind, MappingFile } from './headers.js';
import { storedChanges } from './history.js';
import { crossRowProblems, dropContracts, LEDGER_COLUMNS, LEDGER_STAGE, type LedgerCounts, mergeLedger } from './ledger.js';
import { ERRORS_HEADER } from './outputs.js';
import { importReceiptRows, type ReceiptCounts, type StagedReceipt } from './receipts.js';
import { type ImportReader, type ReceiptValues, type RowResult, readImportFile } from './rows.js';
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

/** Whether the actor may run an action (a role of its line in the permission matrix suffices). */
function mayRun(actor: Actor, action: { roles: readonly string[] }): boolean {
  return hasRole(actor, action.roles);
}

/**
 * What may be refused before the file is read (exit 3, nothing written): --create-dealers by a role that may
 * not add dealers, --dealer out of the actor's scope, --status confirmed by a role that may not confirm.
 * Returns the receipts' status: confirmed when the actor may confirm, else registered.
 */
function checkAllowed(actor: Actor, options: ImportOptions, fixedDealer: number | undefined): 'confirmed' | 'registered' {
  if (options.createDealers && !mayRun(actor, dealerAdd)) {
    throw new NotAllowed(
      `${actor.username} may not let an import create dealers: creating dealers needs one of ${dealerAdd.roles.join(', ')}`,
    );
  }
  if (fixedDealer !== undefined && !dealerInScope(actor, fixedDealer)) {
    throw new NotAllowed(`${actor.username} may not import for dealer ${options.dealer}`);
  }
  const mayConfirm = mayRun(actor, receiptConfirm);
  if (options.receiptStatus === 'confirmed' && !mayConfirm) {
    throw new NotAllowed(
      `--status confirmed: ${actor.username} may not confirm receipts (it needs one of ${receiptConfirm.roles.join(', ')}); import them with --status registered`,
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

/**
 * Imports one file in one transaction: checks what may be refused before reading, then reads and stages the
 * rows, merges them (ledger or receipts) and records the import — or records the rejection, or rolls back a
 * dry run.
 */
export async function importFile(db: Db, actor: Actor, file: string, options: ImportOptions, progress?: Progress): Promise<ImportSummary> {
  const started = Date.now();
  const prepared = await prepareImport(db, actor, file, options);
  const run = new FileImport(db, actor, file, options, prepared, progress);
  try {
    await db.knex.transaction((tx) => run.inTransaction(tx, started));
  } catch (error) {
    if (error instanceof DryRun) {
      run.summary.status = 'dry_run';
      run.summary.importId = null;
    } else if (error instanceof Rejected) {
      await run.recordRejection(started);
    } else {
      throw error;
    }
  }
  run.summary.errors = run.problems;
  run.summary.durationMs = Date.now() - started;
  return run.summary;
}

/** A ledger read as an import reads it: its summary and problems, and, when no row was refused, the staged rows. */
export type StagedLedger<T> =
  | { rejected: false; summary: ImportSummary; fixedDealer: number | undefined; value: T }
  | { rejected: true; summary: ImportSummary };

class Compared<T> extends Error {
  constructor(readonly value: T) {
    super('compared');
  }
}

/**
 * Reads, stages and checks a ledger exactly as `importFile` does (same reader, headers, mapping, dealers,
 * collectors, row and cross-row checks), hands the staged rows (LEDGER_STAGE) to `use` in the same
 * transaction, and rolls everything back: no import recorded, nothing merged, no dealer created.
 */
export async function withStagedLedger<T>(
  db: Db,
  actor: Actor,
  file: string,
  options: ImportOptions,
  use: (tx: Tx, fixedDealer: number | undefined) => Promise<T>,
): Promise<StagedLedger<T>> {
  const readOnly = { ...options, kind: options.kind ?? 'ledger', dryRun: true, skipInvalid: false, createDealers: false };
  const prepared = await prepareImport(db, actor, file, readOnly);
  const run = new FileImport(db, actor, file, readOnly, prepared);
  run.summary.status = 'dry_run';
  try {
    await db.knex.transaction(async (tx) => {
      await run.readChecked(tx);
      if (!run.staged) await createStageTable(tx, LEDGER_STAGE, LEDGER_COLUMNS, db.kind);
      throw new Compared(await use(tx, prepared.fixedDealer));
    });
    throw new Error('invariant broken: the comparison’s transaction committed');
  } catch (error) {
    run.summary.errors = run.problems;
    if (error instanceof Compared)
      return { rejected: false, summary: run.summary, fixedDealer: prepared.fixedDealer, value: error.value as T };
    if (!(error instanceof Rejected)) throw error;
    run.summary.status = 'rejected';
    return { rejected: true, summary: run.summary };
  }
}

interface Prepared {
  hash: string;
  size: number;
  previous: { id: number; started_at: Date | string } | undefined;
  extraTypes: { code: string; names: string[] }[];
  lookups: Lookups;
  fixedDealer: number | undefined;
  receiptStatus: 'confirmed' | 'registered';
}

/** The file's hash, what the database knows (dealers, users, types) and what may be refused before reading. */
async function prepareImport(db: Db, actor: Actor, file: string, options: ImportOptions): Promise<Prepared> {
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
  return { hash, size, previous, extraTypes, lookups, fixedDealer, receiptStatus };
}

type StageWriter = Awaited<ReturnType<typeof openStageWriter>>;

/** One file's import: its summary, its problems and what reading it found, step by step. */
class FileImport {
  readonly summary: ImportSummary;
  readonly problems: ImportProblem[] = [];
  private readonly unknownCollectors = new Map<string, number>();
  private readonly badContracts = new Map<string, { dealerId: number; contractNo: string }>();
  private readonly rejectedRows = new Set<string>();
  // The dealers the file concerns (import_dealers): what scopes `zq import list` and `show`.
  private readonly dealersSeen = new Set<number>();
  private readonly receiptRows: StagedReceipt[] = [];
  private writer: StageWriter | null = null;
  // Named as given: hf/ledger.csv and wh/ledger.csv are two files.
  private readonly displayName: string;
  private readonly lookups: Lookups;
  private readonly fixedDealer: number | undefined;

  constructor(
    private readonly db: Db,
    private readonly actor: Actor,
    file: string,
    private readonly options: ImportOptions,
    private readonly prepared: Prepared,
    private readonly progress?: Progress,
  ) {
    this.displayName = file;
    this.lookups = prepared.lookups;
    this.fixedDealer = prepared.fixedDealer;
    this.summary = {
      file,
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
      previousImport: prepared.previous ? { id: prepared.previous.id, at: formatTimestamp(prepared.previous.started_at) } : null,
      receiptStatus: null,
      durationMs: 0,
    };
    if (this.fixedDealer !== undefined) this.dealersSeen.add(this.fixedDealer);
    if (scopeOf(actor).kind !== 'group' && actor.dealerId !== null) this.dealersSeen.add(actor.dealerId);
  }

  private addProblem(p: ImportProblem): void {
    this.summary.errorCount++;
    if (this.problems.length < MAX_STORED_ERRORS) this.problems.push(p);
  }

  private rowProblem(row: RowResult, column: string, value: string, reason: string): void {
    this.addProblem({ file: this.displayName, sheet: row.sheet, rowNumber: row.rowNumber, column, value, reason });
  }

  /** The import's transaction: read and stage, merge, record. Throws Rejected or DryRun to roll back. */
  async inTransaction(tx: Tx, started: number): Promise<void> {
    const importId = await this.insertImport(tx);
    await this.readChecked(tx);
    await tx('imports')
      .where({ id: importId })
      .update({ kind: this.summary.kind ?? 'ledger' });
    if (this.summary.kind === 'ledger' && this.writer !== null) await this.mergeLedgerFile(tx, importId);
    else if (this.summary.kind === 'receipts') await this.mergeReceiptsFile(tx, importId);
    await this.record(tx, importId, started);
    if (this.options.dryRun) throw new DryRun();
  }

  /**
   * Reads the file, stages its ledger rows (LEDGER_STAGE) and checks them: every row and cross-row check of an
   * import. Throws Rejected on any problem (unless skipInvalid), BadInput without a ledger's cut-over date.
   */
  async readChecked(tx: Tx): Promise<void> {
    const reader = readImportFile(this.displayName, {
      kind: this.options.kind,
      sheet: this.options.sheet,
      mapping: this.options.mapping,
      dealer: this.options.dealer,
      extraTypes: this.prepared.extraTypes,
    });
    const kind = await this.readRows(tx, reader);
    await this.afterReading(tx, reader, kind);
  }

  /** Whether a ledger row was staged (a file without one has no staging table). */
  get staged(): boolean {
    return this.writer !== null;
  }

  private async insertImport(tx: Tx): Promise<number> {
    const [record] = await tx('imports')
      .insert({
        file_name: this.displayName,
        file_hash: this.prepared.hash,
        file_size: this.prepared.size,
        kind: this.options.kind ?? 'ledger',
        dealer_id: this.fixedDealer ?? null,
        as_of: this.options.asOf ?? null,
        status: 'imported',
        actor_id: this.actor.id,
      })
      .returning('id');
    this.summary.importId = record.id as number;
    return record.id as number;
  }

  /** Streams the rows: bad ones are problems, receipts are kept, ledger rows are staged. Returns the rows' kind. */
  private async readRows(tx: Tx, reader: ImportReader): Promise<ImportKind | null> {
    let kind: ImportKind | null = this.options.kind ?? null;
    try {
      for await (const row of reader.rows()) {
        this.summary.rowsRead++;
        if (this.summary.rowsRead % 10_000 === 0) this.progress?.(this.displayName, this.summary.rowsRead, 'reading');
        if (kind === null) kind = row.kind;
        if (!row.ok) this.rejectRow(row);
        else if (row.kind === 'receipts') this.keepReceipt(row);
        else await this.stageLedgerRow(tx, row);
      }
    } catch (error) {
      await this.writer?.abort();
      throw error;
    }
    this.progress?.(this.displayName, this.summary.rowsRead, 'merging');
    // On a server the COPY holds the connection: finish it before any other statement of the transaction.
    await this.writer?.close();
    return kind;
  }

  /** Only rows that are rejected need their key. */
  private rejectedKey(row: { sheet: string | null; rowNumber: number | null }): void {
    this.rejectedRows.add(`${row.sheet ?? ''}:${row.rowNumber}`);
  }

  private rejectRow(row: RowResult): void {
    const contractNo = (row.values as { contract_no?: string }).contract_no;
    for (const p of toProblem(row)) this.addProblem({ ...p, file: this.displayName });
    this.rejectedKey(row);
    const dealerGuess = this.fixedDealer ?? this.lookups.dealers.get((row.values as { dealer?: string }).dealer ?? '');
    if (contractNo && dealerGuess !== undefined)
      this.badContracts.set(`${dealerGuess}|${contractNo}`, { dealerId: dealerGuess, contractNo });
  }

  /** Receipt files have no dealer column: the dealer given, else the contract number decides (if unique). */
  private keepReceipt(row: StagedReceipt['row']): void {
    this.receiptRows.push({ row, dealerId: this.fixedDealer ?? null, position: this.receiptRows.length });
    if (this.receiptRows.length > MAX_RECEIPT_ROWS) {
      throw new BadInput('files', this.displayName, `a receipts file of at most ${MAX_RECEIPT_ROWS} rows (split it)`);
    }
  }

  private async stageLedgerRow(tx: Tx, row: RowResult & { kind: 'ledger'; ok: true }): Promise<void> {
    const v = row.values;
    const dealerId = this.fixedDealer ?? (await this.resolveDealer(tx, v.dealer, row));
    if (dealerId === null) return this.rejectedKey(row);
    const collector = this.collectorOf(row, dealerId);
    if (collector === false) return;
    if (this.writer === null) {
      await createStageTable(tx, LEDGER_STAGE, LEDGER_COLUMNS, this.db.kind);
      // --create-dealers writes dealers mid-stream, which a COPY holding the connection would block; an embedded
      // database shared by `zq serve` takes no COPY FROM STDIN over its socket (PGlite copies from its own files).
      const free = this.options.createDealers === true || this.db.sharedFolder !== undefined;
      this.writer = await openStageWriter(tx, this.db.kind, LEDGER_STAGE, LEDGER_COLUMNS, { free });
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
    await this.writer.push(values);
  }

  /** The row's collector: a user id, null (none, or not a user: warned), or false (another dealer's: rejected). */
  private collectorOf(row: RowResult & { kind: 'ledger'; ok: true }, dealerId: number): number | null | false {
    const v = row.values;
    if (!v.collector) return null;
    const match = matchCollector(this.lookups, v.collector, dealerId);
    if ('elsewhere' in match) {
      const reason = `a collector of dealer ${this.lookups.dealerCodes.get(dealerId)}: this user is at another dealer`;
      this.rowProblem(row, '催收员', v.collector, reason);
      this.rejectedKey(row);
      if (v.contract_no) this.badContracts.set(`${dealerId}|${v.contract_no}`, { dealerId, contractNo: v.contract_no });
      return false;
    }
    if ('id' in match) return match.id;
    this.unknownCollectors.set(v.collector, (this.unknownCollectors.get(v.collector) ?? 0) + 1);
    return null;
  }

  private async resolveDealer(tx: Tx, value: string | null, row: RowResult): Promise<number | null> {
    const key = value ?? this.options.dealer ?? null;
    if (key === null) {
      this.rowProblem(row, '经销商', '', 'a dealer: a 经销商 column or --dealer CODE');
      return null;
    }
    const id = this.lookups.dealers.get(key) ?? this.lookups.dealers.get(key.toUpperCase());
    if (id !== undefined) {
      // Another dealer's row refuses the whole file (the transaction rolls back: nothing written).
      if (!dealerInScope(this.actor, id)) {
        throw new NotAllowed(
          `${this.actor.username} may not import for dealer ${this.lookups.dealerCodes.get(id) ?? key} (${this.displayName}${row.sheet ? ` sheet ${row.sheet}` : ''} row ${row.rowNumber}, column 经销商)`,
        );
      }
      this.dealersSeen.add(id);
      return id;
    }
    if (this.options.createDealers && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/.test(key)) {
      const dealer = await addDealer(tx, this.actor, { code: key, name: key });
      this.lookups.dealers.set(key, dealer.id);
      this.lookups.dealerCodes.set(dealer.id, dealer.code);
      this.dealersSeen.add(dealer.id);
      this.summary.warnings.push(`dealer ${key} created with its code as its name: give it its real name`);
      return dealer.id;
    }
    this.rowProblem(row, '经销商', key, 'a known dealer code or name, or let the import create dealers (createDealers)');
    return null;
  }

  /** File-level problems, the kind, cross-row problems; rejects the file on any problem unless skipInvalid. */
  private async afterReading(tx: Tx, reader: ImportReader, kind: ImportKind | null): Promise<void> {
    const { summary } = this;
    for (const e of reader.errors) {
      this.addProblem({ file: this.displayName, sheet: e.sheet, rowNumber: e.rowNumber, column: e.column, value: null, reason: e.reason });
    }
    summary.kind = kind ?? reader.kind;
    for (const [name, count] of this.unknownCollectors) {
      summary.warnings.push(`collector ${JSON.stringify(name)} is not a user (${count} row(s)): contracts left unassigned`);
    }
    if (summary.kind === 'ledger' && !this.options.asOf) {
      throw new BadInput('asOf', null, 'the cut-over date of the ledger’s figures (amounts paid and penalty as of that day)');
    }
    if (summary.kind === 'ledger' && this.writer !== null) {
      for (const p of await crossRowProblems(tx)) {
        this.addProblem({
          file: this.displayName,
          sheet: p.sheet,
          rowNumber: p.rowNumber,
          column: p.column,
          value: p.value,
          reason: p.reason,
        });
        this.rejectedKey(p);
        this.badContracts.set(`${p.dealerId}|${p.contractNo}`, { dealerId: p.dealerId, contractNo: p.contractNo });
      }
    }
    summary.rowsRejected = this.rejectedRows.size;
    if (reader.errors.length > 0 || (summary.errorCount > 0 && !this.options.skipInvalid)) throw new Rejected();
  }

  private async mergeLedgerFile(tx: Tx, importId: number): Promise<void> {
    const { summary } = this;
    await dropContracts(tx, [...this.badContracts.values()]);
    // What is written is what is left staged; a bad row of a contract was staged too (cross-row problems).
    const written = await stagedRows(tx);
    const leftOut = summary.rowsRead - summary.rowsRejected - written;
    if (leftOut > 0) summary.warnings.push(`${leftOut} valid row(s) left out with their contract, which has a bad row`);
    summary.counts = await mergeLedger(tx, importId, this.actor.id, this.options.asOf as BusinessDate);
    summary.rowsImported = written;
  }

  private async mergeReceiptsFile(tx: Tx, importId: number): Promise<void> {
    const { summary, prepared } = this;
    summary.counts = await importReceiptRows(tx, this.actor, importId, this.receiptRows, {
      status: prepared.receiptStatus,
      actor: this.actor,
      dealerCodes: this.lookups.dealerCodes,
      addProblem: (p) => {
        this.addProblem({ ...p, file: this.displayName });
        this.rejectedKey(p);
      },
    });
    summary.rowsRejected = this.rejectedRows.size;
    if (summary.errorCount > 0 && !this.options.skipInvalid) throw new Rejected();
    summary.rowsImported = (summary.counts.receiptsCreated ?? 0) + (summary.counts.receiptsRegistered ?? 0);
    summary.receiptStatus = prepared.receiptStatus;
    for (const id of await tx('import_keys').where({ import_id: importId }).distinct().pluck('dealer_id')) this.dealersSeen.add(id);
  }

  /** The changes, the warnings and the outcome into the summary; the import's rows, problems and audit row. */
  private async record(tx: Tx, importId: number, started: number): Promise<void> {
    const { summary } = this;
    summary.changes = await storedChanges(tx, importId, MAX_STORED_ERRORS);
    const { linesNotInFile = 0, conflicts = 0, receiptsDuplicate = 0, ...effects } = summary.counts;
    if (linesNotInFile > 0)
      summary.warnings.push(`${linesNotInFile} stored line(s) of these contracts are not in the file: kept as they are`);
    if (receiptsDuplicate > 0) summary.warnings.push(`${receiptsDuplicate} receipt row(s) were imported before: skipped`);
    if (Object.values(effects).every((v) => !v) && conflicts === 0) {
      summary.status = 'unchanged';
      summary.rowsImported = 0;
    }
    await saveProblems(tx, importId, this.problems);
    await saveDealers(tx, importId, this.dealersSeen);
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
    await writeAudit(tx, this.actor, {
      action: 'import',
      entity: 'import',
      entityId: importId,
      dealerId: this.fixedDealer ?? null,
      details: { file: this.displayName, hash: this.prepared.hash, kind: summary.kind, status: summary.status, counts: summary.counts },
    });
  }

  /** A rejected file: nothing of it written; the attempt recorded (not for a dry run) in a transaction of its own. */
  async recordRejection(started: number): Promise<void> {
    const { summary, prepared } = this;
    summary.status = 'rejected';
    summary.rowsImported = 0;
    summary.importId = this.options.dryRun
      ? null
      : await recordRejected(this.db, this.actor, {
          summary,
          hash: prepared.hash,
          size: prepared.size,
          fixedDealer: this.fixedDealer,
          problems: this.problems,
          started,
          dealers: this.dealersSeen,
        });
    summary.counts = {};
    summary.changes = [];
  }
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
