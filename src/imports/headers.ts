// The columns of the two kinds of import (IMPORT-FORMAT.md), header matching, header-row detection,
// kind recognition and the mapping file that adds a dealer's own header names.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { BadInput } from '../core/errors.js';

export type ImportKind = 'ledger' | 'receipts';
export const IMPORT_KINDS: readonly ImportKind[] = ['ledger', 'receipts'];

/** How a field's cells are read (normalise.ts): `code` is text that must match across files exactly. */
export type ValueType = 'text' | 'code' | 'date' | 'amount' | 'seq' | 'receivable_type';

export interface FieldDefinition {
  field: string;
  headers: readonly string[];
  required: boolean;
  valueType: ValueType;
}

function def(field: string, headers: string[], valueType: ValueType, required = false): FieldDefinition {
  // The field's own name is always accepted as a header (last in each list of IMPORT-FORMAT.md).
  return { field, headers: headers.includes(field) ? headers : [...headers, field], required, valueType };
}

export const LEDGER_FIELDS: readonly FieldDefinition[] = [
  def('dealer', ['经销商', '代理店', '代理商'], 'text'),
  def('contract_no', ['合同编号', '合同号', '合同编码', 'contract'], 'code', true),
  def('customer_name', ['客户名称', '客户', '客户姓名', '承租人', 'customer'], 'text', true),
  def('id_number', ['证件号码', '身份证号', '统一社会信用代码'], 'code'),
  def('phone', ['联系电话', '电话', '手机'], 'code'),
  def('machine_model', ['设备型号', '机型', 'model'], 'code'),
  def('serial_no', ['机号', '设备编号', '出厂编号', '整机编号'], 'code'),
  def('sign_date', ['签约日期', '合同日期'], 'date'),
  def('contract_amount', ['合同金额', '销售价格', '设备价款'], 'amount'),
  def('collector', ['催收员', '催收人', '业务员'], 'text'),
  def('seq', ['期次', '期数', '第几期'], 'seq', true),
  def('type', ['款项类型', '类型', '费用类型'], 'receivable_type'),
  def('due_date', ['应还日期', '应收日期', '到期日', '还款日'], 'date', true),
  def('amount_due', ['应还金额', '应收金额', '本期应还'], 'amount', true),
  def('amount_paid', ['已还金额', '已收金额', '实收金额'], 'amount'),
  def('penalty_accrued', ['已计罚息', '罚息'], 'amount'),
  def('penalty_paid', ['已收罚息', '已还罚息'], 'amount'),
  def('note', ['备注'], 'text'),
];

export const RECEIPT_FIELDS: readonly FieldDefinition[] = [
  def('contract_no', ['合同编号', '合同号'], 'code', true),
  def('value_date', ['收款日期', '到账日期', '还款日期'], 'date', true),
  def('amount', ['收款金额', '实收金额', '金额'], 'amount', true),
  def('method', ['收款方式', '付款方式'], 'text'),
  def('account', ['收款账户', '账户'], 'text'),
  def('payer', ['付款人', '交款人'], 'text'),
  def('reference', ['流水号', '收据号', '凭证号'], 'code'),
  def('note', ['备注'], 'text'),
];

export const FIELDS: Record<ImportKind, readonly FieldDefinition[]> = { ledger: LEDGER_FIELDS, receipts: RECEIPT_FIELDS };

/** Rows searched for the header row: title rows, a printed date and merged titles come before it. */
export const HEADER_SEARCH_ROWS = 30;

/**
 * A header as compared: spaces (half/full width, also inside: `客 户`) removed, full-width letters
 * folded (NFKC), lower case, a required-mark `*` and a `(元)` unit suffix dropped.
 */
export function headerKey(header: string): string {
  return header
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/^\*+|\*+$/g, '')
    .replace(/\(元\)$/, '')
    .toLowerCase();
}

// ---------------------------------------------------------------------------------------------------
// Mapping file

/**
 * Extra header names, added to the built-in ones. YAML or JSON:
 *
 *   fields:                 # for every dealer
 *     contract_no: [合同流水]
 *   dealers:
 *     WH01:                 # only with --dealer WH01
 *       fields:
 *         due_date: [约定还款日]
 *
 * A field name applies to every kind that has the field (contract_no, note: both).
 */
export interface MappingFile {
  fields?: Record<string, string[]>;
  dealers?: Record<string, { fields?: Record<string, string[]> }>;
}

const KNOWN_FIELDS = new Set([...LEDGER_FIELDS, ...RECEIPT_FIELDS].map((d) => d.field));

/** Check a parsed mapping file's shape; throws BadInput naming the first wrong entry. */
export function validateMapping(data: unknown, source = 'mapping'): MappingFile {
  const fail = (where: string, value: unknown, expected: string): never => {
    throw new BadInput(`${source}: ${where}`, value, expected);
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const checkFields = (fields: unknown, where: string): Record<string, string[]> => {
    if (!isObject(fields)) return fail(where, fields, 'a map of field name → list of header names');
    for (const [field, names] of Object.entries(fields)) {
      if (!KNOWN_FIELDS.has(field)) fail(`${where}.${field}`, field, `a field name: ${[...KNOWN_FIELDS].join(', ')}`);
      if (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && n.trim() !== '')) {
        fail(`${where}.${field}`, names, 'a list of header names');
      }
    }
    return fields as Record<string, string[]>;
  };
  if (!isObject(data)) return fail('top level', data, 'an object with `fields` and/or `dealers`');
  for (const key of Object.keys(data)) {
    if (key !== 'fields' && key !== 'dealers') fail(key, key, 'only `fields` and `dealers` at the top level');
  }
  const mapping: MappingFile = {};
  if (data.fields !== undefined) mapping.fields = checkFields(data.fields, 'fields');
  if (data.dealers !== undefined) {
    if (!isObject(data.dealers)) return fail('dealers', data.dealers, 'a map of dealer code → { fields }');
    mapping.dealers = {};
    for (const [dealer, entry] of Object.entries(data.dealers)) {
      if (!isObject(entry)) return fail(`dealers.${dealer}`, entry, 'an object with `fields`');
      mapping.dealers[dealer] = entry.fields === undefined ? {} : { fields: checkFields(entry.fields, `dealers.${dealer}.fields`) };
    }
  }
  return mapping;
}

/** Read a mapping file (YAML; JSON is YAML too). */
export async function loadMappingFile(path: string): Promise<MappingFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
    throw new BadInput('mapping', path, `a readable YAML or JSON mapping file (${why})`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new BadInput(path, (error as Error).message.split('\n')[0], 'a YAML or JSON mapping file');
  }
  return validateMapping(data, path);
}

/** header key → field, per kind: the built-in names, then the mapping's (global, then the dealer's). */
export type HeaderIndex = Record<ImportKind, Map<string, FieldDefinition>>;

export function buildHeaderIndex(mapping?: MappingFile, dealer?: string): HeaderIndex {
  const extra: Record<string, string[]>[] = [mapping?.fields ?? {}];
  if (dealer !== undefined) extra.push(mapping?.dealers?.[dealer]?.fields ?? {});
  const index = {} as HeaderIndex;
  for (const kind of IMPORT_KINDS) {
    const map = new Map<string, FieldDefinition>();
    for (const definition of FIELDS[kind]) {
      for (const name of definition.headers) map.set(headerKey(name), definition);
    }
    // Mapped names last: for this dealer, a mapped name wins over a built-in name of another field.
    for (const fields of extra) {
      for (const definition of FIELDS[kind]) {
        for (const name of fields[definition.field] ?? []) map.set(headerKey(name), definition);
      }
    }
    index[kind] = map;
  }
  return index;
}

// ---------------------------------------------------------------------------------------------------
// Header row

export interface MappedColumn {
  /** 0-based column index in the row's cells. */
  index: number;
  /** The header as written in the file (trimmed): what errors name. */
  header: string;
  definition: FieldDefinition;
}

export interface HeaderProblem {
  /** The header as written, or null for a missing column. */
  column: string | null;
  reason: string;
}

export interface HeaderMatch {
  kind: ImportKind;
  /** Index in the rows given to detectHeader. */
  rowIndex: number;
  columns: MappedColumn[];
  unknownColumns: string[];
  /** Missing required columns and duplicate columns: the sheet cannot be read. */
  problems: HeaderProblem[];
}

function scoreRow(cells: readonly string[], fields: Map<string, FieldDefinition>): { required: Set<string>; all: Set<string> } {
  const required = new Set<string>();
  const all = new Set<string>();
  for (const cell of cells) {
    const definition = fields.get(headerKey(cell));
    if (!definition) continue;
    all.add(definition.field);
    if (definition.required) required.add(definition.field);
  }
  return { required, all };
}

/**
 * The header row among the first rows: the one matching the largest share of a kind's required fields
 * (then the most fields). `kind` restricts the search; otherwise it also recognises the kind.
 * Null when no row matches at least two fields, one of them required.
 */
export function detectHeader(rows: readonly (readonly string[])[], index: HeaderIndex, kind?: ImportKind): HeaderMatch | null {
  let best: { kind: ImportKind; rowIndex: number; share: number; fields: number } | null = null;
  const rowCount = Math.min(rows.length, HEADER_SEARCH_ROWS);
  for (let rowIndex = 0; rowIndex < rowCount; rowIndex++) {
    for (const candidate of kind ? [kind] : IMPORT_KINDS) {
      const { required, all } = scoreRow(rows[rowIndex] ?? [], index[candidate]);
      if (required.size < 1 || all.size < 2) continue;
      const share = required.size / FIELDS[candidate].filter((d) => d.required).length;
      if (!best || share > best.share || (share === best.share && all.size > best.fields)) {
        best = { kind: candidate, rowIndex, share, fields: all.size };
      }
    }
  }
  return best ? mapColumns(rows[best.rowIndex] ?? [], index, best.kind, best.rowIndex) : null;
}

function mapColumns(cells: readonly string[], index: HeaderIndex, kind: ImportKind, rowIndex: number): HeaderMatch {
  const columns: MappedColumn[] = [];
  const unknownColumns: string[] = [];
  const problems: HeaderProblem[] = [];
  cells.forEach((cell, column) => {
    const header = cell.replace(/\s+/g, ' ').trim();
    if (header === '') return;
    const definition = index[kind].get(headerKey(header));
    if (!definition) {
      unknownColumns.push(header);
      return;
    }
    const first = columns.find((c) => c.definition.field === definition.field);
    if (first) {
      problems.push({ column: header, reason: `duplicate column for ${definition.field}: "${first.header}" and "${header}"` });
      return;
    }
    columns.push({ index: column, header, definition });
  });
  for (const definition of FIELDS[kind]) {
    if (definition.required && !columns.some((c) => c.definition.field === definition.field)) {
      problems.push({
        column: null,
        reason: `missing required column ${definition.field} (one of: ${definition.headers.join(', ')})`,
      });
    }
  }
  return { kind, rowIndex, columns, unknownColumns, problems };
}
