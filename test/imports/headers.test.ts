import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BadInput } from '../../src/core/errors.js';
import { buildHeaderIndex, detectHeader, FIELDS, headerKey, loadMappingFile, validateMapping } from '../../src/imports/headers.js';

const index = buildHeaderIndex();

describe('field definitions', () => {
  it('match IMPORT-FORMAT.md', () => {
    const table = (kind: 'ledger' | 'receipts') => FIELDS[kind].map((d) => `${d.field}${d.required ? '*' : ''}: ${d.headers.join(', ')}`);
    expect(table('ledger')).toEqual([
      'dealer: 经销商, 代理店, 代理商, dealer',
      'contract_no*: 合同编号, 合同号, 合同编码, contract, contract_no',
      'customer_name*: 客户名称, 客户, 客户姓名, 承租人, customer, customer_name',
      'id_number: 证件号码, 身份证号, 统一社会信用代码, id_number',
      'phone: 联系电话, 电话, 手机, phone',
      'machine_model: 设备型号, 机型, model, machine_model',
      'serial_no: 机号, 设备编号, 出厂编号, 整机编号, serial_no',
      'sign_date: 签约日期, 合同日期, sign_date',
      'contract_amount: 合同金额, 销售价格, 设备价款, contract_amount',
      'collector: 催收员, 催收人, 业务员, collector',
      'seq*: 期次, 期数, 第几期, seq',
      'type: 款项类型, 类型, 费用类型, type',
      'due_date*: 应还日期, 应收日期, 到期日, 还款日, due_date',
      'amount_due*: 应还金额, 应收金额, 本期应还, amount_due',
      'amount_paid: 已还金额, 已收金额, 实收金额, amount_paid',
      'penalty_accrued: 已计罚息, 罚息, penalty_accrued',
      'penalty_paid: 已收罚息, 已还罚息, penalty_paid',
      'note: 备注, note',
    ]);
    expect(table('receipts')).toEqual([
      'contract_no*: 合同编号, 合同号, contract_no',
      'value_date*: 收款日期, 到账日期, 还款日期, value_date',
      'amount*: 收款金额, 实收金额, 金额, amount',
      'method: 收款方式, 付款方式, method',
      'account: 收款账户, 账户, account',
      'payer: 付款人, 交款人, payer',
      'reference: 流水号, 收据号, 凭证号, reference',
      'note: 备注, note',
    ]);
  });
});

describe('header matching', () => {
  it.each([
    ['合同编号', 'contract_no'],
    [' 合同编号 ', 'contract_no'],
    ['\u3000合同编号\u3000', 'contract_no'],
    ['合 同 编 号', 'contract_no'],
    ['Contract_No', 'contract_no'],
    ['ＣＯＮＴＲＡＣＴ', 'contract_no'],
    ['*合同编号', 'contract_no'],
    ['应还金额（元）', 'amount_due'],
    ['应还金额(元)', 'amount_due'],
    ['客户', 'customer_name'],
    ['承租人', 'customer_name'],
    ['整机编号', 'serial_no'],
    ['罚息', 'penalty_accrued'],
  ])('ledger header %j → %s', (header, field) => {
    expect(index.ledger.get(headerKey(header))?.field).toBe(field);
  });

  it('keeps the kinds apart: 实收金额 is amount_paid in a ledger, amount in receipts', () => {
    expect(index.ledger.get(headerKey('实收金额'))?.field).toBe('amount_paid');
    expect(index.receipts.get(headerKey('实收金额'))?.field).toBe('amount');
  });
});

describe('detectHeader', () => {
  const ledgerHeader = ['序号', '合同编号', '客户名称', '期次', '应还日期', '应还金额', '已还金额', '内部编码'];

  it('finds the header below title rows, a printed date and a merged title', () => {
    const rows = [['合肥分公司 债权台账'], ['单位：元'], ['打印日期：2026年1月31日'], ledgerHeader, ['1', 'HF-2025-0001']];
    const match = detectHeader(rows, index);
    expect(match).toMatchObject({ kind: 'ledger', rowIndex: 3, unknownColumns: ['序号', '内部编码'], problems: [] });
    expect(match?.columns.map((c) => [c.index, c.header, c.definition.field])).toEqual([
      [1, '合同编号', 'contract_no'],
      [2, '客户名称', 'customer_name'],
      [3, '期次', 'seq'],
      [4, '应还日期', 'due_date'],
      [5, '应还金额', 'amount_due'],
      [6, '已还金额', 'amount_paid'],
    ]);
  });

  it('recognises the kind from the headers', () => {
    expect(detectHeader([['合同编号', '收款日期', '收款金额', '流水号']], index)?.kind).toBe('receipts');
    // 合同编号 + 实收金额 also make a partial ledger header; the receipts match is complete.
    expect(detectHeader([['合同号', '到账日期', '实收金额']], index)?.kind).toBe('receipts');
    expect(detectHeader([ledgerHeader], index)?.kind).toBe('ledger');
  });

  it('restricts the search to the kind given', () => {
    const match = detectHeader([['合同编号', '收款日期', '收款金额']], index, 'ledger');
    // Nothing but 合同编号 is a ledger header: not enough for a header row.
    expect(match).toBeNull();
  });

  it('reports missing required and duplicate columns', () => {
    const match = detectHeader([['合同编号', '客户', '客户名称', '期次', '应还金额', '合同号']], index);
    expect(match?.problems).toEqual([
      { column: '客户名称', reason: 'duplicate column for customer_name: "客户" and "客户名称"' },
      { column: '合同号', reason: 'duplicate column for contract_no: "合同编号" and "合同号"' },
      { column: null, reason: 'missing required column due_date (one of: 应还日期, 应收日期, 到期日, 还款日, due_date)' },
    ]);
  });

  it('finds nothing in a notes sheet', () => {
    expect(detectHeader([['填表说明'], ['1. 金额单位为元'], ['2. 备注可空']], index)).toBeNull();
  });

  it('looks at the first 30 rows only', () => {
    const rows = [...Array.from({ length: 30 }, () => ['title']), ledgerHeader];
    expect(detectHeader(rows, index)).toBeNull();
    expect(detectHeader(rows.slice(1), index)?.rowIndex).toBe(29);
  });
});

describe('mapping file', () => {
  const mapping = validateMapping({
    fields: { note: ['说明'] },
    dealers: { WH01: { fields: { contract_no: ['合同流水'], amount_due: ['本期租金', '客户'] } } },
  });

  it('adds names for every dealer, and a dealer’s names only for that dealer', () => {
    const all = buildHeaderIndex(mapping);
    const wh01 = buildHeaderIndex(mapping, 'WH01');
    expect(all.ledger.get(headerKey('说明'))?.field).toBe('note');
    expect(all.receipts.get(headerKey('说明'))?.field).toBe('note');
    expect(all.ledger.get(headerKey('合同流水'))).toBeUndefined();
    expect(wh01.ledger.get(headerKey('合同流水'))?.field).toBe('contract_no');
    expect(wh01.receipts.get(headerKey('合同流水'))?.field).toBe('contract_no');
    expect(wh01.ledger.get(headerKey('本期租金'))?.field).toBe('amount_due');
    // amount_due is a ledger field only.
    expect(wh01.receipts.get(headerKey('本期租金'))).toBeUndefined();
    // A dealer's name wins over a built-in name of another field.
    expect(wh01.ledger.get(headerKey('客户'))?.field).toBe('amount_due');
    expect(buildHeaderIndex(mapping, 'HF01').ledger.get(headerKey('客户'))?.field).toBe('customer_name');
  });

  it.each([
    [{ field: {} }, /field: "field" — expected only `fields` and `dealers`/],
    [{ fields: { contract: ['x'] } }, /fields\.contract: "contract" — expected a field name/],
    [{ fields: { note: '说明' } }, /fields\.note: "说明" — expected a list of header names/],
    [{ dealers: { WH01: { fields: { seq: [''] } } } }, /dealers\.WH01\.fields\.seq/],
    [['a'], /top level/],
  ])('refuses %j', (data, message) => {
    expect(() => validateMapping(data)).toThrow(BadInput);
    expect(() => validateMapping(data)).toThrow(message);
  });

  it('loads YAML and JSON files', async () => {
    const yaml = await loadMappingFile(fileURLToPath(new URL('../../fixtures/imports/mapping-example.yaml', import.meta.url)));
    expect(yaml.fields).toEqual({ note: ['说明'] });
    expect(yaml.dealers?.WH01?.fields?.seq).toEqual(['期别']);
    const dir = mkdtempSync(join(tmpdir(), 'zq-mapping-'));
    writeFileSync(join(dir, 'm.json'), JSON.stringify({ fields: { reference: ['银行流水'] } }));
    expect(await loadMappingFile(join(dir, 'm.json'))).toEqual({ fields: { reference: ['银行流水'] } });
    writeFileSync(join(dir, 'bad.yaml'), 'fields: [unclosed');
    await expect(loadMappingFile(join(dir, 'bad.yaml'))).rejects.toThrow(BadInput);
  });
});
