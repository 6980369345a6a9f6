// The /collection page (催收工作台) through app.request(): a collector's worklist as cards with the log form, the
// other team's contracts hidden, a contact logged by the form, a wrong-scope POST answered 404 with nothing written,
// bad input shown on the page (400), and the narrow layout's stylesheet.
import { beforeAll, expect, it } from 'vitest';
import { createApp } from '../../src/web/app.js';
import { describeEachDb } from '../support/db.js';
import { Browser } from './support.js';
import { BATCH_DATE, buildWorld, SCRIPT_NAME } from './world.js';

const cards = (html: string) => [...html.matchAll(/<article class="[^"]*" data-contract="([^"]+)"/g)].map((m) => m[1]);

describeEachDb('web: the collection worklist', (get) => {
  const app = () => createApp(get().db);
  const as = async (username: string) => {
    const b = new Browser(app());
    expect((await b.login(username)).status).toBe(303);
    return b;
  };
  const contacts = () => get().db.knex('collection_contacts').count({ n: '*' }).first();

  beforeAll(async () => {
    await buildWorld(get().db);
  }, 120_000);

  it('shows a collector their overdue contracts as cards, with a log form each; the nav links it', async () => {
    const c1 = await as('hf.c1');
    const res = await c1.get(`/collection?asOf=${BATCH_DATE}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<a href="/collection">催收</a>');
    // HF-X 3,000.00 overdue before HF-1 1,200.00 (no promise, no flag: by overdue amount)
    expect(cards(html)).toEqual(['HF-X', 'HF-1']);
    expect(html).toContain('<a href="tel:13900000001">13900000001</a>');
    expect(html).toContain('SY215C SY215C-7788（正常）');
    expect(html).toContain('3,000.00');
    expect(html.match(/action="\/collection\/log"/g)).toHaveLength(2);
    // a customer named like a script is text
    expect(html).not.toContain(SCRIPT_NAME);
    expect(html).toContain('&lt;script&gt;');
    // another team's collector sees only theirs; another dealer's nothing of HF01
    expect(cards(await (await (await as('hf.c2')).get(`/collection?asOf=${BATCH_DATE}`)).text())).toEqual(['HF-2']);
    expect(cards(await (await (await as('wh.c1')).get(`/collection?asOf=${BATCH_DATE}`)).text())).toEqual(['WH-1']);
    // asking for a collector outside the scope: 404
    expect((await (await as('wh.c1')).get(`/collection?asOf=${BATCH_DATE}&collector=hf.c1`)).status).toBe(404);
    const css = await (await c1.get('/static/collection.css')).text();
    expect(css).toContain('@media (max-width: 600px)');
  });

  it('logs a contact from the form; a promise shows on the card', async () => {
    const c1 = await as('hf.c1');
    const csrf = await c1.csrf();
    const res = await c1.post('/collection/log', {
      _csrf: csrf,
      contractNo: 'HF-1',
      dealer: 'HF01',
      kind: 'call',
      result: 'promised',
      promiseAmount: '500',
      promiseDate: '2026-04-10',
      contactedAt: '2026-03-31T10:15',
      note: '',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/collection?logged=HF-1');
    const html = await (await c1.get(`/collection?asOf=${BATCH_DATE}&logged=HF-1`)).text();
    expect(html).toContain('HF-1 的催收记录已保存。');
    expect(html).toContain('2026-04-10 前还 500.00');
    expect(html).toContain('2026-03-31 10:15 电话 承诺还款');
  });

  it('refuses a wrong-scope POST with 404 and bad input with 400; nothing written', async () => {
    const before = await contacts();
    const c2 = await as('hf.c2');
    const csrf = await c2.csrf();
    const form = { _csrf: csrf, contractNo: 'HF-1', dealer: 'HF01', kind: 'call', result: 'refused', contactedAt: '2026-03-31T10:00' };
    expect((await c2.post('/collection/log', form)).status).toBe(404);
    const bad = await c2.post('/collection/log', { ...form, contractNo: 'HF-2', result: 'promised' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('未保存：promiseAmount: missing');
    expect(await contacts()).toEqual(before);
  });
});
