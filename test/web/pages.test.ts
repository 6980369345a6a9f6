// The pages through app.request() as each role: what each user's scope shows, filters, search and paging, the
// breakdown's drill-down and workbook, the approval inbox's decisions (and that a wrong-scope POST writes
// nothing), the statement page, and a customer named like a script shown as text.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { createApp } from '../../src/web/app.js';
import { describeEachDb } from '../support/db.js';
import { Browser } from './support.js';
import { BATCH_DATE, buildWorld, SCRIPT_NAME } from './world.js';

const contractNos = (html: string) =>
  [...html.matchAll(/href="\/contracts\/([^"?/]+)\?dealer=/g)].map((m) => decodeURIComponent(m[1] ?? ''));

describeEachDb('web pages', (get) => {
  let waiverId = 0;
  const app = () => createApp(get().db);
  const as = async (username: string) => {
    const b = new Browser(app());
    const res = await b.login(username);
    expect(res.status).toBe(303);
    return b;
  };
  const steps = () => get().db.knex('approval_steps').orderBy('id').select('id', 'status', 'decided_by', 'comment');

  beforeAll(async () => {
    ({ waiverId } = await buildWorld(get().db));
  }, 120_000);

  it('sends a visitor without a session to the login page from every page', async () => {
    const b = new Browser(app());
    for (const path of [
      '/',
      '/contracts',
      '/contracts/HF-1',
      '/contracts/HF-1/statement',
      '/breakdown',
      '/breakdown.xlsx',
      '/approvals',
      '/batch',
    ]) {
      const res = await b.get(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location')).toMatch(/^\/login\?next=/);
    }
    expect((await b.post(`/approvals/${waiverId}/approve`, {})).status).toBe(403);
    expect((await b.get('/static/pages.css')).status).toBe(200);
    expect((await b.get('/static/dashboard.js')).headers.get('content-type')).toMatch(/javascript/);
  });

  it('dashboard: the scope’s figures at the last batch date, the chart data, scripts from /static with the nonce', async () => {
    const gf = await as('gf');
    const res = await gf.get('/');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`最近完成跑批：<strong>${BATCH_DATE}</strong>`);
    expect(html).toContain('平衡');
    expect(html).toContain('逾期率');
    expect(html).toMatch(/data-chart="\{/);
    // no inline script: every script tag names a file under /static and carries the response's nonce
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1] ?? '');
    expect(scripts.length).toBe(2);
    for (const attrs of scripts) expect(attrs).toMatch(/src="\/static\/[a-z.]+\.js" nonce="[^"]+"/);
    const nonce = /nonce="([^"]+)"/.exec(html)?.[1];
    expect(res.headers.get('content-security-policy')).toContain(`'nonce-${nonce}'`);
    // 8 contracts of 1,200.00 and HF-X of 3,000.00, all three installments (01-10, 02-10, 03-10) overdue on 03-31
    expect(html).toContain('<div class="label">未还余额</div><div class="figure">12,600.00</div>');
    expect(html).toContain('<div class="label">逾期金额</div><div class="figure">12,600.00</div>');
    expect(html).toContain('<div class="figure">100.00%</div>');
    // the trend as reported: the batch's night is the first with a report snapshot, so its month alone
    expect(html).toContain('余额与逾期（2026-03 至 2026-03，报告口径）');
    expect(html).toContain('{&quot;months&quot;:[&quot;2026-03&quot;]');
    // hf.c1 sees their own two contracts only
    const c1 = await (await (await as('hf.c1')).get('/')).text();
    expect(c1).toContain('4,200.00');
    expect(new Set(contractNos(c1))).toEqual(new Set(['HF-1', 'HF-X']));
  });

  it('contracts: each user sees their scope; filters, search by customer, contract, serial and phone; paging', async () => {
    const gf = await as('gf');
    const all = contractNos(await (await gf.get('/contracts')).text());
    expect(all).toEqual(['HF-1', 'HF-2', 'HF-3', 'HF-4', 'HF-5', 'HF-X', 'WH-1', 'WH-2', 'WH-3']);
    expect(contractNos(await (await gf.get('/contracts?dealer=WH01')).text())).toEqual(['WH-1', 'WH-2', 'WH-3']);
    expect(contractNos(await (await gf.get('/contracts?collector=hf.c2')).text())).toEqual(['HF-2']);
    expect(contractNos(await (await gf.get('/contracts?status=settled')).text())).toEqual([]);
    expect(contractNos(await (await gf.get(`/contracts?overdue=1&asOf=2026-01-05`)).text())).toEqual([]);
    for (const q of ['客户HF-2', 'hf-2', '7788', '13900000001'])
      expect(contractNos(await (await gf.get(`/contracts?q=${encodeURIComponent(q)}`)).text())).toEqual([
        q === '客户HF-2' || q === 'hf-2' ? 'HF-2' : 'HF-X',
      ]);
    // the biggest outstanding first, then paging three at a time
    expect(contractNos(await (await gf.get('/contracts?sort=outstanding&desc=1&size=1')).text())).toEqual(['HF-X']);
    const page1 = await (await gf.get('/contracts?size=3')).text();
    expect(contractNos(page1)).toEqual(['HF-1', 'HF-2', 'HF-3']);
    expect(page1).toContain('href="/contracts?size=3&amp;page=2"');
    expect(page1).not.toContain('上一页');
    const page3 = await (await gf.get('/contracts?size=3&page=3')).text();
    expect(contractNos(page3)).toEqual(['WH-1', 'WH-2', 'WH-3']);
    expect(page3).not.toContain('下一页');
    // bad input: one line naming the field
    const bad = await gf.get('/contracts?sort=colour');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('sort: &quot;colour&quot;');

    expect(contractNos(await (await (await as('hf.c1')).get('/contracts')).text())).toEqual(['HF-1', 'HF-X']);
    expect(contractNos(await (await (await as('hf.lead')).get('/contracts')).text())).toEqual(['HF-1', 'HF-2', 'HF-3', 'HF-X']);
    expect(contractNos(await (await (await as('wh.mgr')).get('/contracts')).text())).toEqual(['WH-1', 'WH-2']);
  });

  it('a contract: its lines, penalty, receipts, documents, versions, approvals; another’s contract is 404 like a missing one', async () => {
    const c1 = await as('hf.c1');
    const res = await c1.get('/contracts/HF-1?dealer=HF01');
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const text of [
      '还款计划',
      '罚息',
      '收款',
      '单据',
      '还款计划版本',
      '审批',
      '客户困难',
      '罚息减免',
      '/contracts/HF-1/statement?dealer=HF01',
    ])
      expect(html).toContain(text);
    expect(html).not.toContain('操作记录'); // a collector does not read the audit log
    const missing = await c1.get('/contracts/NOPE-1');
    expect(missing.status).toBe(404);
    const missingText = await missing.text();
    for (const other of ['/contracts/HF-2', '/contracts/WH-1?dealer=WH01', '/contracts/HF-2/statement']) {
      const r = await c1.get(other);
      expect(r.status, other).toBe(404);
      expect(await r.text()).toBe(missingText);
    }
    const fin = await (await (await as('hf.fin')).get('/contracts/HF-1')).text();
    expect(fin).toContain('操作记录');
    expect(fin).toContain('waiver.request');
  });

  it('a customer named like a script is shown as text everywhere', async () => {
    const gf = await as('gf');
    for (const path of ['/contracts', '/contracts/HF-X', '/', '/breakdown?dealer=HF01&collector=hf.c1']) {
      const html = await (await gf.get(path)).text();
      expect(html, path).not.toContain(SCRIPT_NAME);
      if (path !== '/') expect(html, path).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
  });

  it('breakdown: group → dealer → collector → contract, as reported or restated; the workbook; another dealer is 404', async () => {
    const gf = await as('gf');
    const top = await (await gf.get('/breakdown')).text();
    expect(top).toContain('href="/breakdown?dealer=HF01"');
    expect(top).toContain('href="/breakdown?dealer=WH01"');
    expect(top).toContain('报告口径');
    const dealer = await (await gf.get('/breakdown?dealer=HF01')).text();
    expect(dealer).toContain('href="/breakdown?dealer=HF01&amp;collector=hf.c1"');
    expect(dealer).toContain('（未分配）'); // HF-5 has no collector
    // the 合计 row counts the contracts, as the line above the table does
    const counted = dealer.match(/合同 (\d+) 份/)?.[1];
    expect(counted).toBeDefined();
    expect(dealer).toContain(`<tr class="total"><td>合计</td><td class="num">${counted}</td>`);
    const collector = await (await gf.get('/breakdown?dealer=HF01&collector=hf.c1')).text();
    expect(contractNos(collector)).toEqual(['HF-1', 'HF-X']);
    const restated = await (await gf.get(`/breakdown?dealer=HF01&restated=1&asOf=${BATCH_DATE}`)).text();
    expect(restated).toContain('重述口径');

    const xlsx = await gf.get('/breakdown.xlsx?dealer=HF01');
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toMatch(/spreadsheetml/);
    expect(xlsx.headers.get('content-disposition')).toContain(`breakdown_${BATCH_DATE}.xlsx`);
    const bytes = Buffer.from(await xlsx.arrayBuffer());
    expect(bytes.subarray(0, 2).toString()).toBe('PK');

    const c1 = await as('hf.c1');
    expect((await c1.get('/breakdown?dealer=WH01')).status).toBe(404);
    expect((await c1.get('/breakdown.xlsx?dealer=WH01')).status).toBe(404);
    expect(contractNos(await (await c1.get('/breakdown?dealer=HF01&collector=hf.c1')).text())).toEqual(['HF-1', 'HF-X']);
    expect((await c1.get('/breakdown?asOf=2030-01-01')).status).toBe(400);
  });

  it('approvals: the approver sees the request with its document and rule; another team gets 404 and writes nothing', async () => {
    const fin = await as('hf.fin');
    const inbox = await (await fin.get('/approvals')).text();
    expect(inbox).toContain('待我审批（1）');
    expect(inbox).toContain('客户困难');
    expect(inbox).toContain('dealer_finance');
    expect(inbox).toContain(`action="/approvals/${waiverId}/approve"`);
    const before = await steps();

    const wh = await as('wh.c1');
    expect(await (await wh.get('/approvals')).text()).toContain('待我审批（0）');
    expect((await wh.get(`/approvals/${waiverId}`)).status).toBe(404);
    const csrf = await wh.csrf();
    for (const kind of ['approve', 'reject', 'withdraw']) {
      const res = await wh.post(`/approvals/${waiverId}/${kind}`, { _csrf: csrf, comment: '不行' });
      expect(res.status, kind).toBe(404);
    }
    expect((await wh.post(`/approvals/abc/approve`, { _csrf: csrf })).status).toBe(404);
    // the applicant cannot approve their own request: refused, said on the page
    const c1 = await as('hf.c1');
    const own = await c1.post(`/approvals/${waiverId}/approve`, { _csrf: await c1.csrf() });
    expect([400, 404]).toContain(own.status);
    // a rejection needs a comment
    const finCsrf = await fin.csrf();
    const noComment = await fin.post(`/approvals/${waiverId}/reject`, { _csrf: finCsrf, comment: ' ' });
    expect(noComment.status).toBe(400);
    expect(await noComment.text()).toContain('操作未完成');
    // without the CSRF token: refused before anything runs
    expect((await fin.post(`/approvals/${waiverId}/approve`, {})).status).toBe(403);
    expect(await steps()).toEqual(before);
    expect(await get().db.knex('documents').where({ id: waiverId }).first('status')).toEqual({ status: 'submitted' });

    const ok = await fin.post(`/approvals/${waiverId}/approve`, { _csrf: finCsrf, comment: '同意减免' });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toMatch(/^\/approvals\?done=approve/);
    expect(await (await fin.get(ok.headers.get('location') as string)).text()).toContain('已同意');
    expect(await get().db.knex('documents').where({ id: waiverId }).first('status')).toEqual({ status: 'approved' });
    const decided = await get()
      .db.knex('approval_steps as s')
      .join('users as u', 'u.id', 's.decided_by')
      .where('s.comment', '同意减免')
      .first('u.username');
    expect(decided).toEqual({ username: 'hf.fin' });
    const c1Page = await (await c1.get(`/approvals/${waiverId}`)).text();
    expect(c1Page).toContain('已通过');
  });

  it('my requests: the applicant withdraws a waiting one; a rejection with its comment', async () => {
    const c1 = await as('hf.c1');
    const csrf = await c1.csrf();
    const { runAction } = await import('../../src/app/run.js');
    const ask = (reason: string) =>
      runAction(get().db, 'hf.c1', 'waiver.request', { contractNo: 'HF-X', amount: '1.00', date: BATCH_DATE, reason }, { via: 'test' });
    const first = await ask('第一次');
    const mine = await (await c1.get('/approvals')).text();
    expect(mine).toContain(`action="/approvals/${first.id}/withdraw"`);
    // somebody else cannot withdraw it
    const fin = await as('hf.fin');
    const theirs = await fin.post(`/approvals/${first.id}/withdraw`, { _csrf: await fin.csrf() });
    expect(theirs.status).toBe(404);
    expect(await get().db.knex('documents').where({ id: first.id }).first('status')).toEqual({ status: 'submitted' });
    const withdrawn = await c1.post(`/approvals/${first.id}/withdraw`, { _csrf: csrf });
    expect(withdrawn.status).toBe(303);
    expect(await get().db.knex('documents').where({ id: first.id }).first('status')).toEqual({ status: 'withdrawn' });

    const second = await ask('第二次');
    const rejected = await fin.post(`/approvals/${second.id}/reject`, { _csrf: await fin.csrf(), comment: '不符合条件' });
    expect(rejected.status).toBe(303);
    expect(await get().db.knex('documents').where({ id: second.id }).first('status')).toEqual({ status: 'rejected' });
    const after = await (await c1.get('/approvals')).text();
    expect(after).toContain('已撤回');
    expect(after).toContain('已驳回');
  });

  it('batch and imports, read-only; the statement downloads as the PDF zq statement print writes', async () => {
    const gf = await as('gf');
    const batch = await (await gf.get('/batch')).text();
    expect(batch).toContain('reconcile');
    expect(batch).toContain(BATCH_DATE);
    expect(batch).toContain('导入记录');
    const c1 = await (await (await as('hf.c1')).get('/batch')).text();
    expect(c1).toContain('您的角色不查看导入记录');
    const statement = await gf.get(`/contracts/HF-1/statement?dealer=HF01&to=${BATCH_DATE}`);
    expect(statement.status).toBe(200);
    expect(statement.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await statement.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const file = path.join(os.tmpdir(), `zq-web-statement-${process.pid}.pdf`);
    fs.writeFileSync(file, pdf);
    expect(spawnSync('pdftotext', [file, '-'], { encoding: 'utf8' }).stdout).toContain('HF-1');
    fs.rmSync(file);
  });
});
