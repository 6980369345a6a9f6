// The import actions: `import.run` (dealer ledgers and receipts files, one transaction per file — its own
// transactions, so it is an OwnTxAction), and the reads of past imports. Every input and output is checked
// before anything is read into the database: the files to read, the mapping file, the errors files to write.
import fs from 'node:fs';
import { defineAction } from '../access/action.js';
import { BACK_OFFICE, type RoleCode } from '../access/role-sets.js';
import { parseDate, refuseFutureDate } from '../core/dates.js';
import { BadInput } from '../core/errors.js';
import { compareLedger, type LedgerComparison } from './compare.js';
import { type ImportKind, loadMappingFile } from './headers.js';
import { listImports, showImport } from './history.js';
import { type ImportSummary, importFile, type Progress, writeErrorsFile } from './index.js';
import { checkOutput, planErrorsFiles } from './outputs.js';

const READERS: readonly RoleCode[] = [...BACK_OFFICE, 'auditor'];

export interface ImportRunRaw {
  /** The files to import, named as the user gave them. */
  files: readonly string[];
  kind?: string | undefined;
  dealer?: string | undefined;
  asOf?: string | undefined;
  /** A YAML or JSON file naming more header names. */
  mapping?: string | undefined;
  sheet?: string | undefined;
  dryRun?: boolean | undefined;
  skipInvalid?: boolean | undefined;
  /** The one errors file for every input; default: `<file>.errors.csv` beside each. */
  errors?: string | undefined;
  /** Let `errors` replace an existing file (never one the import reads). */
  force?: boolean | undefined;
  createDealers?: boolean | undefined;
  receiptStatus?: string | undefined;
  /** The workbook of a comparison (import.compare): refused by an import. */
  out?: string | undefined;
  /** Called as the files begin to load (every input checked): returns what is told the rows read so far. */
  progress?: (() => Progress) | undefined;
}

/** One file's summary and the errors file its problems were written to (null: no problem). */
export type ImportedFile = ImportSummary & { errorsFile: string | null };

export interface ImportRunResult {
  /** In the order the files were given. */
  files: ImportedFile[];
  /** The errors files written, in order. */
  errorsFiles: string[];
  /** Who imported: receipts are registered, not confirmed, when this user may not confirm them. */
  actor: string;
}

const oneOf = <T extends string>(value: string | undefined, allowed: readonly T[], field: string, expected: string): T | undefined => {
  if (value !== undefined && !(allowed as readonly string[]).includes(value)) throw new BadInput(field, value, expected);
  return value as T | undefined;
};

/** The checks that need no file read beyond its existence, in the order they are reported. */
function parseImportRun(raw: ImportRunRaw) {
  if (raw.files.length === 0) throw new BadInput('files', null, 'one or more files to import').suggest({ action: 'import.list' });
  const kind = oneOf<ImportKind>(raw.kind, ['ledger', 'receipts'], 'kind', 'ledger or receipts');
  const receiptStatus = oneOf<'confirmed' | 'registered'>(
    raw.receiptStatus,
    ['confirmed', 'registered'],
    'receiptStatus',
    'confirmed or registered',
  );
  for (const file of raw.files) {
    if (!fs.existsSync(file)) throw new BadInput('files', file, 'an existing CSV, text or XLSX file');
    if (!fs.statSync(file).isFile()) throw new BadInput('files', file, 'a file (not a folder)');
  }
  return { ...raw, kind, receiptStatus };
}

export const importRun = defineAction({
  name: 'import.run',
  summary: 'import dealer ledgers and receipts files, one transaction per file',
  roles: BACK_OFFICE,
  mutates: true,
  transaction: 'own',
  parse: (raw: ImportRunRaw) => {
    if (raw.out !== undefined) throw new BadInput('out', raw.out, 'nothing: only a comparison writes a workbook');
    return parseImportRun(raw);
  },
  run: async (db, actor, input): Promise<ImportRunResult> => {
    const mapping = input.mapping ? await loadMappingFile(input.mapping) : undefined;
    const asOf = input.asOf ? refuseFutureDate('asOf', parseDate(input.asOf, 'asOf')) : undefined;
    const errorsFiles = planErrorsFiles(input.files, {
      errors: input.errors,
      force: input.force === true,
      otherInputs: input.mapping ? [input.mapping] : [],
    });
    const progress = input.progress?.();
    const { default: pLimit } = await import('p-limit');
    // Files load in parallel on a server (one connection each); the embedded database has one connection.
    const limit = pLimit(db.kind === 'postgres' ? 2 : 1);
    const options = {
      kind: input.kind,
      dealer: input.dealer,
      asOf,
      mapping,
      sheet: input.sheet,
      dryRun: input.dryRun === true,
      skipInvalid: input.skipInvalid === true,
      createDealers: input.createDealers === true,
      receiptStatus: input.receiptStatus,
    };
    const summaries = await Promise.all(input.files.map((file) => limit(() => importFile(db, actor, file, options, progress))));
    // One errors file per input, or all of them in the one `errors` names.
    const files = summaries.map((s, i) => ({
      ...s,
      errorsFile: s.errorCount > 0 ? (errorsFiles.get(input.files[i] as string) as string) : null,
    }));
    const written = new Map<string, ImportSummary[]>();
    for (const s of files) if (s.errorsFile !== null) written.set(s.errorsFile, [...(written.get(s.errorsFile) ?? []), s]);
    for (const [target, withErrors] of written) writeErrorsFile(target, withErrors);
    return { files, errorsFiles: [...written.keys()], actor: actor.username };
  },
});

/** `out`: the XLSX to write the differences to. */
export type ImportCompareRaw = ImportRunRaw;

/** What an import does beyond reading: refused with a comparison, which writes nothing. */
const NOT_WITH_COMPARE = ['dryRun', 'skipInvalid', 'errors', 'createDealers', 'receiptStatus'] as const;

function parseImportCompare(raw: ImportCompareRaw) {
  const input = parseImportRun(raw);
  if (input.files.length > 1) throw new BadInput('files', input.files.join(' '), 'one ledger file to compare');
  if (input.kind === 'receipts') throw new BadInput('kind', input.kind, 'ledger: only a ledger has figures to compare');
  for (const field of NOT_WITH_COMPARE) {
    if (raw[field] !== undefined && raw[field] !== false) throw new BadInput(field, raw[field], 'left out: a comparison writes nothing');
  }
  if (raw.out !== undefined && !/\.xlsx$/i.test(raw.out)) throw new BadInput('out', raw.out, 'a file name ending in .xlsx');
  if (raw.asOf === undefined)
    throw new BadInput('asOf', null, 'the date of the ledger’s figures (amounts paid and penalty as of that day)');
  return { ...input, out: raw.out, file: input.files[0] as string, asOf: refuseFutureDate('asOf', parseDate(raw.asOf, 'asOf')) };
}

export const importCompare = defineAction({
  name: 'import.compare',
  summary: 'compare a dealer ledger with the system as of its date; writes nothing to the database',
  roles: READERS,
  mutates: false,
  transaction: 'own',
  parse: parseImportCompare,
  run: async (db, actor, input): Promise<LedgerComparison> => {
    // the workbook's place is checked before anything is read: never an input, never an existing file without force
    if (input.out !== undefined)
      checkOutput(input.out, [input.file, ...(input.mapping ? [input.mapping] : [])], input.force === true, false, 'out');
    const mapping = input.mapping ? await loadMappingFile(input.mapping) : undefined;
    const comparison = await compareLedger(db, actor, input.file, {
      kind: input.kind,
      dealer: input.dealer,
      asOf: input.asOf,
      mapping,
      sheet: input.sheet,
    });
    if (input.out !== undefined && comparison.outcome !== 'rejected') {
      const { writeComparisonXlsx } = await import('./compare-xlsx.js');
      await writeComparisonXlsx(input.out, comparison);
      comparison.out = input.out;
    }
    return comparison;
  },
});

export const importList = defineAction({
  name: 'import.list',
  summary: 'past imports with their counts',
  roles: READERS,
  mutates: false,
  parse: (raw: { limit?: string | number | undefined }) => ({ limit: raw.limit === undefined ? 50 : Number(raw.limit) }),
  run: (tx, actor, input) => listImports(tx, actor, input.limit),
});

export const importShow = defineAction({
  name: 'import.show',
  summary: 'one import: counts, every error and every change',
  roles: READERS,
  mutates: false,
  parse: (raw: { id: string | number }) => {
    if (!/^\d+$/.test(String(raw.id))) throw new BadInput('id', raw.id, 'an import id').suggest({ action: 'import.list' });
    return { id: Number(raw.id) };
  },
  run: (tx, actor, input) => showImport(tx, actor, input.id),
});

export const importActions = [importRun, importCompare, importList, importShow] as const;
