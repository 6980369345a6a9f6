// The approval engine end to end on a test document type: rules, the first matching rule, steps by manager
// level, role and user, escalation, self-approval and out-of-turn refusals, rejection, history and inbox.
import { expect, it } from 'vitest';
import { approve, inbox, reject, showApproval, submitForApproval, withdraw } from '../../src/approvals/engine.js';
import { registerDocumentType } from '../../src/approvals/registry.js';
import { addRule, listRules, loadRules, removeRule } from '../../src/approvals/rules.js';
import { BadInput, NotAllowed, NotFound, Refused } from '../../src/core/errors.js';
import { dec } from '../../src/core/money.js';
import { createDocument, loadDocument } from '../../src/documents/index.js';
import { actor, buildOrganisation } from '../access/organisation.js';
import { describeEachDb } from '../support/db.js';

const acted: { id: number; event: string; by: string; comment?: string }[] = [];
registerDocumentType({
  type: 'test_expense',
  label: 'test expense',
  fields: { overdue_days: 'integer' },
  onApproved: async (_tx, by, document) => {
    acted.push({ id: document.id, event: 'approved', by: by.username });
  },
  onRejected: async (_tx, by, document, comment) => {
    acted.push({ id: document.id, event: 'rejected', by: by.username, comment });
  },
});

// a type of its own for 15.20, so that no rule of the other tests matches first
registerDocumentType({ type: 'test_escalation', label: 'test escalation', onApproved: async () => {}, onRejected: async () => {} });

describeEachDb('the approval engine', (get) => {
  const ids: Record<string, number> = {};

  async function submit(username: string, dealer: string, amount: string, overdueDays = 0, type = 'test_expense'): Promise<number> {
    const { db } = get();
    const who = await actor(db.knex, username);
    return db.knex.transaction(async (tx) => {
      const dealerId = (await tx('dealers').where({ code: dealer }).first('id')).id;
      const doc = await createDocument(tx, who, {
        type,
        status: 'submitted',
        dealerId,
        amount: dec(amount),
        data: { overdue_days: overdueDays },
      });
      await submitForApproval(tx, who, doc.id);
      return doc.id;
    });
  }
  const decide = async (username: string, id: number, verdict: 'approve' | 'reject', comment?: string) => {
    const { db } = get();
    const who = await actor(db.knex, username);
    return db.knex.transaction((tx) => (verdict === 'approve' ? approve(tx, who, id, comment) : reject(tx, who, id, comment as string)));
  };
  const inboxOf = async (username: string) => {
    const { db } = get();
    return (await inbox(db.knex, await actor(db.knex, username))).map((r) => r.documentId);
  };

  it('configures rules, validated against the type’s condition schema', async () => {
    const { db, admin } = get();
    acted.length = 0;
    await buildOrganisation(db.knex, admin);
    const add = (condition: string, steps: string[]) =>
      db.knex.transaction((tx) => addRule(tx, admin, { documentType: 'test_expense', condition, steps }));
    const big = await add('amount > 10000', ['manager:1', 'role:dealer_finance', 'user:gf']);
    const wuhu = await add('dealer = WH01 and amount > 5000', ['manager:3', 'role:dealer_finance']);
    const some = await add('amount > 1000 or overdue_days >= 90', ['manager:2']);
    ids.big = big.id;
    ids.wuhu = wuhu.id;
    ids.some = some.id;
    expect((await listRules(db.knex, 'test_expense')).map((r) => [r.position, r.condition])).toEqual([
      [1, 'amount > 10000'],
      [2, 'dealer = WH01 and amount > 5000'],
      [3, 'amount > 1000 or overdue_days >= 90'],
    ]);
    await expect(add('penalty > 1', ['manager:1'])).rejects.toThrow(/not penalty/);
    await expect(add('amount > 1', ['role:boss'])).rejects.toThrow(BadInput);
    await expect(add('amount > 1', ['user:nobody'])).rejects.toThrow(/an existing username/);
    await expect(add('amount > 1', ['manager:0'])).rejects.toThrow(/manager:N with N from 1 to 10/);
    await expect(add('amount > 1', [])).rejects.toThrow(/1 to 10 steps/);
    await expect(db.knex.transaction((tx) => addRule(tx, admin, { documentType: 'nonsense', steps: ['manager:1'] }))).rejects.toThrow(
      /a document type that goes through approval: .*test_expense/,
    );
  });

  it('no matching rule: the document needs no approval and acts at once', async () => {
    const { db } = get();
    const id = await submit('hf.c1', 'HF01', '500.00', 10);
    expect((await loadDocument(db.knex, id)).status).toBe('approved');
    expect(acted).toEqual([{ id, event: 'approved', by: 'hf.c1' }]);
    await expect(showApproval(db.knex, await actor(db.knex, 'admin'), id)).rejects.toThrow(NotFound);
  });

  it('the first matching rule wins, and its steps resolve to manager, role and user', async () => {
    const { db } = get();
    ids.b = await submit('hf.c1', 'HF01', '20000.00');
    const view = await showApproval(db.knex, await actor(db.knex, 'hf.c1'), ids.b);
    expect(view).toMatchObject({
      ruleId: ids.big,
      status: 'pending',
      currentStep: 1,
      applicant: 'hf.c1',
      amount: '20000.00',
      documentStatus: 'submitted',
    });
    expect(view.steps.map((s) => [s.seq, s.configured, s.approver, s.status])).toEqual([
      [1, 'manager:1', 'user hf.lead', 'pending'],
      [2, 'role:dealer_finance', 'role dealer_finance', 'waiting'],
      [3, 'user:gf', 'user gf', 'waiting'],
    ]);
    expect(await inboxOf('hf.lead')).toEqual([ids.b]);
    expect(await inboxOf('hf.fin')).toEqual([]);
  });

  it('refuses self-approval, approving out of turn and strangers; nothing acts before the last step', async () => {
    const b = ids.b as number;
    await expect(decide('hf.c1', b, 'approve')).rejects.toThrow(/nobody approves or rejects their own request/);
    await expect(decide('hf.fin', b, 'approve')).rejects.toThrow(/not your turn: step 1 of 3 \(user hf.lead\).*yours is step 2/);
    await expect(decide('gf', b, 'approve')).rejects.toThrow(Refused);
    await expect(decide('wh.c1', b, 'approve')).rejects.toThrow(NotFound);
    await expect(decide('hf.mgr', b, 'approve')).rejects.toThrow(NotAllowed);
    await decide('hf.lead', b, 'approve', '属实');
    expect(await inboxOf('hf.lead')).toEqual([]);
    expect(await inboxOf('hf.fin')).toEqual([b]);
    expect(await inboxOf('admin')).toEqual([]);
    await expect(decide('hf.lead', b, 'approve')).rejects.toThrow(NotAllowed);
    await decide('hf.fin', b, 'approve');
    expect(acted.filter((a) => a.id === b)).toEqual([]);
    const { db } = get();
    expect((await loadDocument(db.knex, b)).status).toBe('submitted');
    const done = await decide('gf', b, 'approve', 'ok');
    expect(done).toMatchObject({ status: 'approved', currentStep: null, documentStatus: 'approved' });
    expect(done.steps.map((s) => [s.status, s.decidedBy, s.comment])).toEqual([
      ['approved', 'hf.lead', '属实'],
      ['approved', 'hf.fin', null],
      ['approved', 'gf', 'ok'],
    ]);
    expect(acted.filter((a) => a.id === b)).toEqual([{ id: b, event: 'approved', by: 'gf' }]);
    await expect(decide('gf', b, 'approve')).rejects.toThrow(/already approved/);
  });

  it('a step whose approver does not exist escalates to admin and says so', async () => {
    const { db } = get();
    const id = await submit('wh.c1', 'WH01', '8000.00');
    const view = await showApproval(db.knex, await actor(db.knex, 'wh.c1'), id);
    expect(view.ruleId).toBe(ids.wuhu);
    expect(view.steps.map((s) => [s.approver, s.note])).toEqual([
      ['admin (escalated)', 'the applicant has no manager 3 level(s) up: escalated to admin'],
      ['admin (escalated)', 'nobody but the applicant holds role dealer_finance at WH01: escalated to admin'],
    ]);
    expect(await inboxOf('admin')).toEqual([id]);
    await expect(decide('gf', id, 'approve')).rejects.toThrow(NotAllowed);
    await decide('admin', id, 'approve');
    await decide('admin', id, 'approve');
    expect((await loadDocument(db.knex, id)).status).toBe('approved');
  });

  it('a named approver who is the applicant escalates too', async () => {
    const { db, admin } = get();
    const rule = await db.knex.transaction((tx) =>
      addRule(tx, admin, { documentType: 'test_expense', condition: 'dealer = GROUP', steps: ['user:gf'] }),
    );
    const id = await submit('gf', 'GROUP', '1.00');
    const view = await showApproval(db.knex, admin, id);
    expect(view.steps[0]).toMatchObject({
      approver: 'admin (escalated)',
      note: 'user gf is the applicant and cannot approve their own request: escalated to admin',
    });
    await db.knex.transaction((tx) => removeRule(tx, admin, rule.id));
  });

  it('rejection needs a comment, ends the flow, and runs the type’s rejection', async () => {
    const { db } = get();
    const id = await submit('hf.c1', 'HF01', '100.00', 120);
    const view = await showApproval(db.knex, await actor(db.knex, 'hf.mgr'), id);
    expect(view.steps.map((s) => s.approver)).toEqual(['user hf.mgr']);
    await expect(decide('hf.mgr', id, 'reject', '  ')).rejects.toThrow(/a comment is required/);
    const rejected = await decide('hf.mgr', id, 'reject', '超出标准');
    expect(rejected).toMatchObject({ status: 'rejected', documentStatus: 'rejected' });
    expect(rejected.steps[0]).toMatchObject({ status: 'rejected', decidedBy: 'hf.mgr', comment: '超出标准' });
    expect(acted.at(-1)).toEqual({ id, event: 'rejected', by: 'hf.mgr', comment: '超出标准' });
    await expect(decide('hf.mgr', id, 'approve')).rejects.toThrow(/already rejected/);
    const audit = await db.knex('audit_log').where({ document_id: id }).orderBy('id').select('actor', 'action');
    expect(audit).toEqual([
      { actor: 'hf.c1', action: 'create' },
      { actor: 'hf.c1', action: 'submit' },
      { actor: 'hf.mgr', action: 'reject' },
      { actor: 'hf.mgr', action: 'rejected' },
    ]);
  });

  it('a rejection at step 1 of 3 skips the rest', async () => {
    const id = await submit('hf.c2', 'HF01', '50000.00');
    const view = await decide('hf.lead', id, 'reject', 'no');
    expect(view.steps.map((s) => s.status)).toEqual(['rejected', 'skipped', 'skipped']);
  });

  it('show: the applicant, approvers and those whose scope holds the document; nobody else', async () => {
    const { db } = get();
    const b = ids.b as number;
    for (const who of ['hf.c1', 'hf.lead', 'hf.fin', 'gf', 'admin', 'aud', 'boss']) {
      expect((await showApproval(db.knex, await actor(db.knex, who), b)).documentId).toBe(b);
    }
    for (const who of ['wh.c1', 'wh.mgr', 'wh.clerk', 'hf.c2']) {
      await expect(showApproval(db.knex, await actor(db.knex, who), b)).rejects.toThrow(NotFound);
    }
  });

  it('removing or reloading rules never changes a request under way', async () => {
    const { db, admin } = get();
    const id = await submit('hf.c2', 'HF01', '30000.00');
    await db.knex.transaction((tx) => removeRule(tx, admin, ids.big as number));
    const yaml = [
      'rules:',
      '  - type: test_expense',
      '    when: "amount > 0"',
      '    steps: [role:group_finance]',
      '    note: everything to group finance',
    ].join('\n');
    const loaded = await db.knex.transaction((tx) => loadRules(tx, admin, yaml, 'rules.yaml'));
    expect(loaded.map((r) => [r.documentType, r.position, r.condition, r.steps])).toEqual([
      ['test_expense', 1, 'amount > 0', [{ kind: 'role', role: 'group_finance' }]],
    ]);
    expect(await listRules(db.knex)).toHaveLength(1);
    const view = await showApproval(db.knex, admin, id);
    expect(view.steps.map((s) => s.configured)).toEqual(['manager:1', 'role:dealer_finance', 'user:gf']);
    const next = await submit('hf.c2', 'HF01', '1.00');
    expect((await showApproval(db.knex, admin, next)).steps.map((s) => s.approver)).toEqual(['role group_finance']);
    await expect(
      db.knex.transaction((tx) => loadRules(tx, admin, 'rules:\n  - type: test_expense\n    steps: [boss:1]\n', 'bad.yaml')),
    ).rejects.toThrow(/step \(bad.yaml rule 1\)/);
    expect(await listRules(db.knex)).toHaveLength(1);
  });
  it('15.17: approving, rejecting or withdrawing a request outside one’s scope: not found, naming no approver', async () => {
    const { db, admin } = get();
    const id = await submit('hf.c2', 'HF01', '20000.00');
    const stranger = await actor(db.knex, 'wh.c1');
    for (const attempt of [
      () => decide('wh.c1', id, 'approve'),
      () => decide('wh.c1', id, 'reject', 'no'),
      () => db.knex.transaction((tx) => withdraw(tx, stranger, id, 'no')),
    ]) {
      const err = await attempt().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotFound);
      expect((err as Error).message).toBe(`approval for document not found: ${id}`);
    }
    // the same answer as for a request that does not exist
    await expect(decide('wh.c1', 999_999, 'approve')).rejects.toThrow(/approval for document not found: 999999/);
    await db.knex.transaction((tx) => withdraw(tx, admin, id));
  });

  it('15.20: a step escalated to admin when the only admin applied is refused, naming the problem; with another admin it proceeds', async () => {
    const { db, admin } = get();
    const rule = await db.knex.transaction((tx) => addRule(tx, admin, { documentType: 'test_escalation', steps: ['role:admin'] }));
    const before = await db.knex('documents').count<{ count: number }[]>('* as count');
    await expect(submit('admin', 'GROUP', '1.00', 0, 'test_escalation')).rejects.toThrow(
      /step 1 \(role:admin\) of approval rule \d+: nobody but the applicant holds role admin: escalated to admin, but the applicant admin is the only active admin/,
    );
    expect(await db.knex('documents').count<{ count: number }[]>('* as count')).toEqual(before);
    const { addUser } = await import('../../src/organisation/index.js');
    await db.knex.transaction((tx) => addUser(tx, admin, { username: 'admin2', name: '第二管理员', roles: ['admin'] }));
    const id = await submit('admin', 'GROUP', '1.00', 0, 'test_escalation');
    expect(await inboxOf('admin2')).toContain(id);
    await decide('admin2', id, 'approve');
    expect((await loadDocument(db.knex, id)).status).toBe('approved');
    await db.knex.transaction((tx) => removeRule(tx, admin, rule.id));
  });
});
