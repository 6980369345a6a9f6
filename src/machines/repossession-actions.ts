// The actions of repossession (拖机) and disposition: a machine is named by its serial number (and dealer), found
// within the actor's scope through its contract (./status.ts findMachine); a registration names its repossession
// document, which the entry point finds in scope. Out of scope looks like not found (exit 3), nothing written.
import { defineAction } from '../access/action.js';
import { BACK_OFFICE, STAFF } from '../access/role-sets.js';
import { type BusinessDate, parseDate, refuseFutureDate } from '../core/dates.js';
import { BadInput } from '../core/errors.js';
import { parseId } from '../core/input.js';
import { parseMoney } from '../core/money.js';
import { type DocumentRow, loadDocument } from '../documents/index.js';
import { disposeMachine, registerRepossession, requestRepossession } from './repossession.js';
import { findMachine } from './status.js';

interface MachineNamed {
  serial: string;
  dealer?: string | undefined;
}

/** The date of an act that happened: a real day, not later than today (plus ZQ_FUTURE_DAYS). */
const actDate = (text: string, field = 'date'): BusinessDate => refuseFutureDate(field, parseDate(text, field));
const optionalMoney = (text: string | undefined, field: string) =>
  text === undefined || text === '' ? undefined : parseMoney(text, field, { positive: true });

export const repossessRequest = defineAction({
  name: 'machine.repossess.request',
  summary: 'apply for a repossession of a machine (拖机申请); approval by the admin’s rules',
  roles: STAFF,
  mutates: true,
  parse: (raw: MachineNamed & { reason: string; date: string }) => ({ ...raw, date: actDate(raw.date) }),
  run: async (tx, actor, input): Promise<DocumentRow & { approval: 'approved' | 'pending' }> => {
    const machine = await findMachine(tx, actor, input.serial, input.dealer);
    const result = await requestRepossession(tx, actor, { machine, date: input.date, reason: input.reason });
    return { ...(await loadDocument(tx, result.document.id)), approval: result.approval };
  },
});

export const repossessRegister = defineAction({
  name: 'machine.repossess.register',
  summary: 'register an approved repossession: towed, where kept, costs as 代垫 advance charges',
  roles: BACK_OFFICE,
  mutates: true,
  parse: (raw: {
    id: string | number;
    date: string;
    location: string;
    towedBy?: string | undefined;
    towingCost?: string | undefined;
    storageCost?: string | undefined;
  }) => ({
    id: parseId(raw.id, 'id', 'a repossession document id'),
    date: actDate(raw.date),
    location: raw.location,
    towedBy: raw.towedBy,
    towingCost: optionalMoney(raw.towingCost, 'towingCost'),
    storageCost: optionalMoney(raw.storageCost, 'storageCost'),
  }),
  document: (input) => input.id,
  run: (tx, actor, input, { subject }: { subject: { document: DocumentRow } }) => registerRepossession(tx, actor, subject.document, input),
});

export const machineDispose = defineAction({
  name: 'machine.dispose',
  summary: 'a repossessed machine resold (proceeds a receipt, shortfall proposed as bad debt) or returned',
  roles: BACK_OFFICE,
  mutates: true,
  parse: (
    raw: MachineNamed & { resold?: boolean; returned?: boolean; amount?: string | undefined; date: string; buyer?: string | undefined },
  ) => {
    if (raw.resold === raw.returned) throw new BadInput('resold', null, 'one of --resold (with --amount) or --returned');
    const date = actDate(raw.date);
    if (raw.returned) {
      if (raw.amount !== undefined) throw new BadInput('amount', raw.amount, 'no amount with --returned (only a resale has proceeds)');
      return { serial: raw.serial, dealer: raw.dealer, date, disposition: { kind: 'returned' as const } };
    }
    if (raw.amount === undefined) throw new BadInput('amount', null, 'the resale proceeds (with --resold)');
    const amount = parseMoney(raw.amount, 'amount', { positive: true });
    return { serial: raw.serial, dealer: raw.dealer, date, disposition: { kind: 'resold' as const, amount, buyer: raw.buyer } };
  },
  run: async (tx, actor, input) => {
    const machine = await findMachine(tx, actor, input.serial, input.dealer);
    return disposeMachine(tx, actor, { machine, date: input.date, disposition: input.disposition });
  },
});

export const repossessionActions = [repossessRequest, repossessRegister, machineDispose] as const;
