// The archive in the web viewer, on both databases: the contract page's 档案 lists the contract's, its customer's
// and its machines' files with download links and offers the upload form to staff who may attach; /archive/ID
// downloads with the file's type and its UTF-8 name; another dealer's user and another team's collector get 404
// for the download and the upload, and nothing is written; a renamed executable is refused with 400; finance
// removes a file with a reason from its row (another dealer's finance and the collectors: 404, nothing written).
import { beforeAll, expect, it } from 'vitest';
import { loadActor } from '../../src/access/actor.js';
import { runAction } from '../../src/app/run.js';
import { dec } from '../../src/core/money.js';
import { createContract } from '../../src/receivables/contracts.js';
import { createApp } from '../../src/web/app.js';
import { contentDisposition } from '../../src/web/routes/archive.js';
import { buildOrganisation, USERS } from '../access/organisation.js';
import { describeEachDb } from '../support/db.js';
import { Browser, PASSWORD } from '../web/support.js';
import { EXE, JPEG, PDF } from './files.js';

describeEachDb('archive on the web', (get) => {
  const db = () => get().db;
  const as = async (username: string) => {
    const b = new Browser(createApp(db()));
    expect((await b.login(username)).status).toBe(303);
    return b;
  };
  const uploadTo = async (b: Browser, path: string, fields: Record<string, string>, name: string, bytes: Uint8Array) => {
    const form = new FormData();
    form.set('_csrf', await b.csrf());
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    form.set('file', new File([bytes as Uint8Array<ArrayBuffer>], name));
    return b.request(path, { method: 'POST', body: form });
  };
  const attachments = async () => Number((await db().knex('attachments').count({ n: '*' }).first())?.n);

  beforeAll(async () => {
    const admin = await loadActor(db().knex, 'admin');
    await buildOrganisation(db().knex, admin);
    for (const user of USERS)
      await runAction(db(), 'admin', 'user.passwd', { username: user.username, password: PASSWORD }, { via: 'test' });
    await db().knex.transaction((tx) =>
      createContract(tx, admin, {
        dealer: 'HF01',
        contractNo: 'HF-W',
        customer: { name: '赵六' },
        machines: [{ serialNo: 'XG-WEB-1', model: 'XG822' }],
        collector: 'hf.c1',
        method: 'interest_free',
        principal: dec('900.00'),
        annualRate: dec(0),
        termMonths: 3,
        firstDueDate: '2026-01-10',
      }),
    );
  }, 60_000);

  it('uploads on the contract page, lists the contract’s, customer’s and machine’s files, and downloads them', async () => {
    const c1 = await as('hf.c1');
    const page = await (await c1.get('/contracts/HF-W?dealer=HF01')).text();
    expect(page).toContain('<h2>档案</h2>');
    expect(page).toContain('暂无档案。');
    expect(page).toContain('enctype="multipart/form-data"');
    expect(page).toContain('<option value="machine:XG-WEB-1">设备 XG-WEB-1</option>');

    const res = await uploadTo(
      c1,
      '/contracts/HF-W/archive?dealer=HF01',
      { owner: 'contract', kind: 'contract_scan' },
      '借款合同 (签字).pdf',
      PDF,
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/contracts\/HF-W\?dealer=HF01&archived=\d+#archive$/);
    expect(
      (await uploadTo(c1, '/contracts/HF-W/archive?dealer=HF01', { owner: 'customer', kind: 'id_copy' }, '身份证.jpg', JPEG)).status,
    ).toBe(303);
    expect(
      (await uploadTo(c1, '/contracts/HF-W/archive?dealer=HF01', { owner: 'machine:XG-WEB-1', kind: 'photo' }, '铭牌.jpg', JPEG)).status,
    ).toBe(303);
    const rows = await db().knex('attachments').orderBy('id').select('id', 'owner_kind', 'file_name', 'added_by');
    expect(rows.map((r) => [r.owner_kind, r.file_name])).toEqual([
      ['contract', '借款合同 (签字).pdf'],
      ['customer', '身份证.jpg'],
      ['machine', '铭牌.jpg'],
    ]);
    const shown = await (await c1.get(`/contracts/HF-W?dealer=HF01&archived=${rows[0]?.id}`)).text();
    expect(shown).toContain('已上传：借款合同 (签字).pdf');
    for (const r of rows) expect(shown).toContain(`<a href="/archive/${r.id}">${r.file_name}</a>`);
    expect(shown).toContain('客户 赵六');
    expect(shown).toContain('设备 XG-WEB-1');

    const file = await c1.get(`/archive/${rows[0]?.id}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(file.headers.get('content-disposition')).toBe(
      `attachment; filename="____ (__).pdf"; filename*=UTF-8''%E5%80%9F%E6%AC%BE%E5%90%88%E5%90%8C%20%28%E7%AD%BE%E5%AD%97%29.pdf`,
    );
    expect(Buffer.from(await file.arrayBuffer()).equals(PDF)).toBe(true);
    // the team lead above the collector downloads it too
    expect((await (await as('hf.lead')).get(`/archive/${rows[1]?.id}`)).headers.get('content-type')).toBe('image/jpeg');
  });

  it('another dealer’s user and another team’s collector: 404 for download and upload, nothing written', async () => {
    const id = (await db().knex('attachments').orderBy('id').first('id')).id;
    const before = await attachments();
    for (const who of ['wh.c1', 'wh.clerk', 'hf.c2']) {
      const b = await as(who);
      expect((await b.get(`/archive/${id}`)).status, who).toBe(404);
      expect((await b.get('/contracts/HF-W?dealer=HF01')).status, who).toBe(404);
      for (const owner of ['contract', 'customer', 'machine:XG-WEB-1']) {
        expect((await uploadTo(b, '/contracts/HF-W/archive?dealer=HF01', { owner }, 'x.pdf', PDF)).status, `${who} ${owner}`).toBe(404);
      }
    }
    expect((await (await as('hf.c1')).get('/archive/999999')).status).toBe(404);
    expect(await attachments()).toBe(before);
  });

  it('refuses a renamed executable with 400 and its reason; the auditor reads but gets no upload form', async () => {
    const before = await attachments();
    const res = await uploadTo(await as('hf.c1'), '/contracts/HF-W/archive?dealer=HF01', { owner: 'contract' }, '合同.pdf', EXE);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('found a Windows executable (MZ)');
    expect(await attachments()).toBe(before);
    const page = await (await (await as('aud')).get('/contracts/HF-W?dealer=HF01')).text();
    expect(page).toContain('<h2>档案</h2>');
    expect(page).not.toContain('enctype="multipart/form-data"');
    // without the CSRF token the upload is refused before anything is read
    const b = await as('hf.c1');
    const form = new FormData();
    form.set('file', new File([PDF], 'a.pdf'));
    expect((await b.request('/contracts/HF-W/archive?dealer=HF01', { method: 'POST', body: form })).status).toBe(403);
    expect(await attachments()).toBe(before);
  });

  it('finance removes a file from the page with a reason; another dealer’s finance and the collectors get 404', async () => {
    await runAction(
      db(),
      'admin',
      'user.add',
      { username: 'wh.fin', name: '芜湖财务', roles: ['dealer_finance'], dealer: 'WH01' },
      { via: 'test' },
    );
    await runAction(db(), 'admin', 'user.passwd', { username: 'wh.fin', password: PASSWORD }, { via: 'test' });
    const first = await db().knex('attachments').orderBy('id').first('id', 'file_name');
    const removePath = `/contracts/HF-W/archive/${first.id}/remove?dealer=HF01`;
    const post = async (b: Browser, path: string, fields: Record<string, string>) =>
      b.request(path, { method: 'POST', body: new URLSearchParams({ _csrf: await b.csrf(), ...fields }) });
    const removals = async () =>
      Number((await db().knex('attachments').whereNotNull('removed_at').count({ n: '*' }).first())?.n) +
      Number((await db().knex('audit_log').where({ entity: 'attachment', action: 'remove' }).count({ n: '*' }).first())?.n);

    // the collector who uploaded it sees no 删除 form; finance does, one per row
    expect(await (await (await as('hf.c1')).get('/contracts/HF-W?dealer=HF01')).text()).not.toContain('placeholder="删除原因"');
    const fin = await as('hf.fin');
    const page = await (await fin.get('/contracts/HF-W?dealer=HF01')).text();
    expect(page).toContain(`action="/contracts/HF-W/archive/${first.id}/remove?dealer=HF01"`);
    expect(page.match(/placeholder="删除原因"/g)?.length).toBe(3);

    // another dealer's finance, another dealer's clerk, another team's collector and the collector who uploaded it:
    // 404, as for a file that does not exist, and nothing written
    for (const who of ['wh.fin', 'wh.clerk', 'hf.c2', 'hf.c1']) {
      expect((await post(await as(who), removePath, { reason: '重复上传' })).status, who).toBe(404);
    }
    expect((await post(fin, '/contracts/HF-W/archive/999999/remove?dealer=HF01', { reason: '重复上传' })).status).toBe(404);
    // a file of another contract, through this contract's page: 404 too
    expect((await post(fin, `/contracts/HF-1/archive/${first.id}/remove?dealer=HF01`, { reason: '重复上传' })).status).toBe(404);
    // no reason: 400 naming the field, nothing written
    const blank = await post(fin, removePath, { reason: '  ' });
    expect(blank.status).toBe(400);
    expect(await blank.text()).toContain('reason');
    expect(await removals()).toBe(0);

    const res = await post(fin, removePath, { reason: '重复上传' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/contracts/HF-W?dealer=HF01&removed=${first.id}#archive`);
    const after = await (await fin.get(`/contracts/HF-W?dealer=HF01&removed=${first.id}`)).text();
    expect(after).toContain(`已删除：${first.file_name}（原因：重复上传）`);
    expect(after).not.toContain(`<a href="/archive/${first.id}">`);
    const row = await db().knex('attachments').where({ id: first.id }).first('removed_by', 'removal_reason');
    expect(row).toEqual({ removed_by: (await loadActor(db().knex, 'hf.fin')).id, removal_reason: '重复上传' });
    expect(await removals()).toBe(2);
    // the bytes stay: finance still downloads it; a second removal is refused with 400, nothing written
    expect((await fin.get(`/archive/${first.id}`)).status).toBe(200);
    const again = await post(fin, removePath, { reason: '再删' });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('already removed');
    expect(await removals()).toBe(2);
  });

  it('names a file of any script in Content-Disposition', () => {
    expect(contentDisposition('a"b\\c.pdf')).toBe(`attachment; filename="a_b_c.pdf"; filename*=UTF-8''a%22b%5Cc.pdf`);
  });
});
