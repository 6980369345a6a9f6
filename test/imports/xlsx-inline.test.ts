// Sheets that keep their text inline (WPS, streaming writers) must not lose a Chinese character whose bytes
// straddle two zip chunks (exceljs's streaming reader, which the importer used before src/imports/xlsx.ts, did).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { expect, it } from 'vitest';
import { readAll } from './support.js';

it('reads every Chinese character of a large inline-string workbook', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zq-inline-')), 'inline.xlsx');
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false, useStyles: false });
  const ws = wb.addWorksheet('台账');
  ws.addRow(['合同编号', '客户名称', '期次', '款项类型', '应还日期', '应还金额']).commit();
  const ROWS = 20_000;
  for (let i = 0; i < ROWS; i++)
    ws.addRow([`HT-${i}`, `安徽鑫磊土石方工程有限公司${i}`, String((i % 12) + 1), '货款', '2026-05-15', '1000.00']).commit();
  ws.commit();
  await wb.commit();
  const { rows } = await readAll(file);
  expect(rows).toHaveLength(ROWS);
  expect(rows.filter((r) => !r.ok)).toEqual([]);
  expect(rows.every((r) => (r.values as { customer_name: string }).customer_name.startsWith('安徽鑫磊土石方工程有限公司'))).toBe(true);
});
