// The archive (档案管理) on both databases: the four owner kinds, the type checked from the bytes (a renamed
// executable and a zip that is not a workbook refused, nothing written), the size limit, the same bytes stored
// once, scope (another dealer's user and another team's collector get "not found" for add, list and get, and
// nothing is written), removal with a reason, and `get` that never replaces a file without --force.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { runAction } from '../../src/app/run.js';
import { ARCHIVE_MAX_BYTES, sha256Hex } from '../../src/archive/index.js';
import { BadInput, NotAllowed, NotFound, Refused } from '../../src/core/errors.js';
import { dec } from '../../src/core/money.js';
import { createContract } from '../../src/receivables/contracts.js';
import { buildOrganisation } from '../access/organisation.js';
import { describeEachDb } from '../support/db.js';
import { EXE, fakeXlsx, JPEG, PDF, PNG, xlsx } from './files.js';

describeEachDb('archive', (get) => {
  const db = () => get().db;
  // biome-ignore lint/suspicious/noExplicitAny: one helper over every archive action's output
  type Any = any;
  const run = (who: string, name: string, raw: unknown): Promise<Any> => runAction(db(), who, name as never, raw as never, { via: 'test' });
  const upload = (fileName: string, bytes: Uint8Array) => ({ fileName, bytes });
  const counts = async () => ({
    blobs: Number((await db().knex('archive_blobs').count({ n: '*' }).first())?.n),
    attachments: Number((await db().knex('attachments').count({ n: '*' }).first())?.n),
  });
  let customerId = 0;
  let documentId = 0;
  let folder = '';

  beforeAll(async () => {
    await buildOrganisation(db().knex, get().admin);
    await db().knex.transaction((tx) =>
      createContract(tx, get().admin, {
        dealer: 'HF01',
        contractNo: 'HF-M',
        customer: { name: '王五', idNumber: '340102199001011234' },
        machines: [{ serialNo: 'SY215C-ARCH', model: 'SY215C' }],
        collector: 'hf.c1',
        method: 'interest_free',
        principal: dec('1200.00'),
        annualRate: dec(0),
        termMonths: 3,
        firstDueDate: '2026-01-10',
      }),
    );
    customerId = (await db().knex('customers').where({ name: '王五' }).first('id')).id;
    const receipt = await run('hf.c1', 'receipt.register', { contractNo: 'HF-M', amount: '100.00', valueDate: '2026-02-01' });
    documentId = receipt.id;
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'zq-archive-'));
  }, 60_000);

  it('attaches files to each of the four owner kinds, typed from the bytes, and lists them per owner', async () => {
    const scan = await run('hf.c1', 'archive.add', { contract: 'HF-M', upload: upload('合同扫描.pdf', PDF), kind: 'contract_scan' });
    expect(scan).toMatchObject({ ownerKind: 'contract', owner: 'HF-M', dealer: 'HF01', contractNo: 'HF-M', fileName: '合同扫描.pdf' });
    expect(scan).toMatchObject({ kind: 'contract_scan', mime: 'application/pdf', size: PDF.length, sha256: sha256Hex(PDF), blob: 'new' });
    expect(scan.addedBy).toBe('hf.c1');
    // the name says .png, the bytes say JPEG: the bytes win
    const idCopy = await run('hf.c1', 'archive.add', { customer: String(customerId), upload: upload('身份证.png', JPEG), kind: 'id_copy' });
    expect(idCopy).toMatchObject({ ownerKind: 'customer', owner: '王五', mime: 'image/jpeg', contractNo: null });
    const photo = await run('hf.c1', 'archive.add', { machine: 'SY215C-ARCH', upload: upload('铭牌.png', PNG), kind: 'photo' });
    expect(photo).toMatchObject({ ownerKind: 'machine', owner: 'SY215C-ARCH', mime: 'image/png', contractNo: 'HF-M' });
    const book = await run('hf.c1', 'archive.add', { document: String(documentId), upload: upload('银行回单.xlsx', await xlsx()) });
    expect(book).toMatchObject({
      ownerKind: 'document',
      kind: 'other',
      mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    });

    const names = async (raw: object) => (await run('hf.c1', 'archive.list', raw)).map((r: { fileName: string }) => r.fileName);
    expect(await names({ contract: 'HF-M' })).toEqual(['合同扫描.pdf']);
    expect(await names({ customer: String(customerId) })).toEqual(['身份证.png']);
    expect(await names({ machine: 'SY215C-ARCH' })).toEqual(['铭牌.png']);
    expect(await names({ document: String(documentId) })).toEqual(['银行回单.xlsx']);
    // the contract with its customer's, machines' and documents' files (the contract page's 档案)
    expect(await names({ contract: 'HF-M', related: true })).toEqual(['合同扫描.pdf', '身份证.png', '铭牌.png', '银行回单.xlsx']);
    // each attach is audited with the owner and the SHA-256
    const audit = await db().knex('audit_log').where({ entity: 'attachment', action: 'attach' }).orderBy('id').select('details', 'actor');
    expect(audit).toHaveLength(4);
    expect(audit[0]?.details).toMatchObject({ owner: 'contract', label: 'HF-M', sha256: sha256Hex(PDF) });
  });

  it('stores the same bytes once: two attachments, one blob', async () => {
    const before = await counts();
    const again = await run('hf.fin', 'archive.add', { contract: 'HF-1', upload: upload('副本.pdf', PDF) });
    expect(again.blob).toBe('existing');
    expect(await counts()).toEqual({ blobs: before.blobs, attachments: before.attachments + 1 });
    expect(
      await db()
        .knex('attachments')
        .where({ sha256: sha256Hex(PDF) })
        .count({ n: '*' })
        .first(),
    ).toMatchObject({ n: 2 });
  });

  it('refuses a renamed executable, a zip that is not a workbook, an empty file and a file over 20 MB, writing nothing', async () => {
    const before = await counts();
    const refusal = async (fileName: string, bytes: Uint8Array) => {
      const err = await run('hf.c1', 'archive.add', { contract: 'HF-M', upload: upload(fileName, bytes) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadInput);
      return (err as Error).message;
    };
    expect(await refusal('合同.pdf', EXE)).toBe(
      'FILE: "合同.pdf" — expected a PDF, JPEG, PNG or XLSX file (found a Windows executable (MZ))',
    );
    expect(await refusal('报表.xlsx', await fakeXlsx())).toBe(
      'FILE: "报表.xlsx" — expected a PDF, JPEG, PNG or XLSX file (found a ZIP archive that is not an XLSX workbook (no [Content_Types].xml and xl/workbook.xml))',
    );
    expect(await refusal('空.pdf', new Uint8Array(0))).toContain('(found an empty file)');
    // 20 MiB = 20,971,520 bytes is the limit: one byte more is refused before its type is looked at
    const big = Buffer.alloc(ARCHIVE_MAX_BYTES + 1);
    PDF.copy(big);
    expect(await refusal('大.pdf', big)).toBe(
      'FILE: "大.pdf" — expected a file of at most 20,971,520 bytes (20 MB): it has 20,971,521 bytes',
    );
    expect(await counts()).toEqual(before);
  });

  it('a user of another dealer and a collector of another team: not found for add, list and get; nothing written', async () => {
    const id = (await db().knex('attachments').where({ owner_kind: 'contract', file_name: '合同扫描.pdf' }).first('id')).id;
    const before = await counts();
    const audits = Number((await db().knex('audit_log').count({ n: '*' }).first())?.n);
    for (const who of ['wh.clerk', 'wh.c1', 'hf.c2']) {
      for (const owner of [
        { contract: 'HF-M' },
        { customer: String(customerId) },
        { machine: 'SY215C-ARCH' },
        { document: String(documentId) },
      ]) {
        await expect(run(who, 'archive.add', { ...owner, upload: upload('x.pdf', PNG) }), `${who} add`).rejects.toBeInstanceOf(NotFound);
        await expect(run(who, 'archive.list', owner), `${who} list`).rejects.toBeInstanceOf(NotFound);
      }
      await expect(run(who, 'archive.get', { id }), `${who} get`).rejects.toThrow(`attachment not found: ${id}`);
      await expect(run(who, 'archive.get', { id, out: path.join(folder, `${who}.pdf`) })).rejects.toBeInstanceOf(NotFound);
      expect(fs.existsSync(path.join(folder, `${who}.pdf`))).toBe(false);
    }
    // the team lead above hf.c1 and the dealer's finance see it
    expect((await run('hf.lead', 'archive.get', { id })).attachment.fileName).toBe('合同扫描.pdf');
    expect((await run('hf.fin', 'archive.list', { customer: String(customerId) })).length).toBe(1);
    expect(await counts()).toEqual(before);
    expect(Number((await db().knex('audit_log').count({ n: '*' }).first())?.n)).toBe(audits);
  });

  it('get writes the bytes verified, and refuses an existing --out without --force', async () => {
    const id = (await db().knex('attachments').where({ file_name: '合同扫描.pdf' }).first('id')).id;
    const out = path.join(folder, 'scan.pdf');
    const got = await run('hf.c1', 'archive.get', { id, out });
    expect(got.file).toBe(path.resolve(out));
    expect(sha256Hex(fs.readFileSync(out))).toBe(sha256Hex(PDF));
    fs.writeFileSync(out, 'mine');
    await expect(run('hf.c1', 'archive.get', { id, out })).rejects.toThrow(
      /--out|out: .* a file that does not exist yet \(--force replaces it\)/,
    );
    expect(fs.readFileSync(out, 'utf8')).toBe('mine');
    await run('hf.c1', 'archive.get', { id, out, force: true });
    expect(fs.readFileSync(out)).toEqual(PDF);
    expect(fs.readdirSync(folder).filter((f) => f.endsWith('.partial'))).toEqual([]);
    await expect(run('hf.c1', 'archive.get', { id, out: path.join(folder, 'no-such-folder', 'x.pdf') })).rejects.toBeInstanceOf(BadInput);
  });

  it('remove: finance only, with a reason, recorded; the blob stays; listed with --all; downloaded only by finance, admin, auditors', async () => {
    const id = (await db().knex('attachments').where({ file_name: '铭牌.png' }).first('id')).id;
    await expect(run('hf.c1', 'archive.remove', { id, reason: '拍错了' })).rejects.toBeInstanceOf(NotAllowed);
    await expect(run('hf.fin', 'archive.remove', { id, reason: '  ' })).rejects.toBeInstanceOf(BadInput);
    const removed = await run('hf.fin', 'archive.remove', { id, reason: '拍错了，重新上传' });
    expect(removed).toMatchObject({ removed: true, removedBy: 'hf.fin', removalReason: '拍错了，重新上传' });
    await expect(run('hf.fin', 'archive.remove', { id, reason: '再删' })).rejects.toBeInstanceOf(Refused);
    expect(await run('hf.c1', 'archive.list', { machine: 'SY215C-ARCH' })).toEqual([]);
    const all = await run('hf.c1', 'archive.list', { machine: 'SY215C-ARCH', all: true });
    expect(all.map((r: { fileName: string; removedBy: string }) => [r.fileName, r.removedBy])).toEqual([['铭牌.png', 'hf.fin']]);
    expect(
      await db()
        .knex('archive_blobs')
        .where({ sha256: sha256Hex(PNG) })
        .first('size'),
    ).toMatchObject({ size: PNG.length });
    await expect(run('hf.c1', 'archive.get', { id })).rejects.toBeInstanceOf(NotAllowed);
    expect((await run('hf.fin', 'archive.get', { id })).bytes).toEqual(new Uint8Array(PNG));
    expect((await run('aud', 'archive.get', { id })).attachment.removed).toBe(true);
    const audit = await db().knex('audit_log').where({ entity: 'attachment', action: 'remove' }).first('actor', 'details');
    expect(audit).toMatchObject({ actor: 'hf.fin', details: { reason: '拍错了，重新上传', fileName: '铭牌.png' } });
    // the database keeps blobs as they are
    await expect(
      db()
        .knex('archive_blobs')
        .where({ sha256: sha256Hex(PNG) })
        .del(),
    ).rejects.toThrow();
  });

  it('names the owner flags: exactly one, and a machine serial at two dealers needs --dealer', async () => {
    await expect(run('admin', 'archive.list', {})).rejects.toThrow(
      'exactly one of --contract NO, --customer ID, --machine SERIAL, --document ID',
    );
    await expect(run('admin', 'archive.list', { contract: 'HF-1', machine: 'X' })).rejects.toBeInstanceOf(BadInput);
    await expect(run('admin', 'archive.add', { contract: 'HF-1', upload: upload('a.pdf', PDF), kind: 'selfie' })).rejects.toThrow(
      'kind: "selfie" — expected contract_scan, id_copy, photo, towing_receipt, contact_record, other',
    );
    // the same serial at WH01 too: the group must say which; WH01's collector sees only theirs
    await db()
      .knex('machines')
      .insert({
        dealer_id: (await db().knex('dealers').where({ code: 'WH01' }).first('id')).id,
        serial_no: 'SY215C-ARCH',
        model: 'SY215C',
      });
    await expect(run('admin', 'archive.list', { machine: 'SY215C-ARCH' })).rejects.toThrow(
      'machine SY215C-ARCH exists at HF01, WH01 (add --dealer CODE)',
    );
    expect((await run('admin', 'archive.list', { machine: 'SY215C-ARCH', dealer: 'HF01', all: true })).length).toBe(1);
    expect(await run('wh.clerk', 'archive.list', { machine: 'SY215C-ARCH' })).toEqual([]);
  });
});
