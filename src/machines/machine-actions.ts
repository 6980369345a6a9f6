// The actions of financed machines and machine lock (issue 21). A machine is named by its serial number (and
// dealer where the serial exists at more than one); it is found through its contract in the actor's scope
// (findMachine), so another team's or another dealer's machine is "not found" like a contract. A lock or
// unlock confirmation names its document, which the entry point finds in scope.
import path from 'node:path';
import { defineAction } from '../access/action.js';
import type { Actor } from '../access/actor.js';
import { ADMIN, BACK_OFFICE, EVERYONE, STAFF } from '../access/role-sets.js';
import { addDays, type BusinessDate, formatTimestamp, parseDate, refuseFutureDate, today } from '../core/dates.js';
import { BadInput } from '../core/errors.js';
import { parseId, requireText } from '../core/input.js';
import type { Tx } from '../db/index.js';
import { type DocumentRow, loadDocument } from '../documents/index.js';
import { checkPdfFile } from '../printing/output.js';
import type { Submitted } from '../receivables/operations.js';
import { LETTER_DEFAULT_DAYS, lockLetter, lockLetterFile, lockLetterHtml, recordLetter } from './letter.js';
import { type Confirmed, readOutbox, recordOutcome, requestLock, requestUnlock } from './lock.js';
import { listMachines, setMachineFields, showMachine } from './machines.js';
import { type LockAction, listSettings, parseProvider, setSetting } from './providers.js';
import { findMachine, parseMachineStatus } from './status.js';

interface MachineNamed {
  serial: string;
  dealer?: string | undefined;
}

/** A time as a person gives it: ISO 8601 with its zone, or `YYYY-MM-DD HH:MM[:SS]` read in Asia/Shanghai. Not in the future. */
export function parseMoment(text: string | undefined, field = 'at', now: Date = new Date()): string {
  if (text === undefined || text === '') return formatTimestamp(now);
  const local = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(:\d{2})?)$/.exec(text.trim());
  const iso = local ? `${local[1]}T${local[2]}${local[3] ? '' : ':00'}+08:00` : text.trim();
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/.test(iso) && !Number.isNaN(Date.parse(iso));
  if (!ok) throw new BadInput(field, text, 'a time: YYYY-MM-DD HH:MM (Asia/Shanghai) or ISO 8601 with its zone');
  parseDate(iso.slice(0, 10), field);
  // a clock a few minutes ahead is not a time in the future
  if (Date.parse(iso) > now.getTime() + 5 * 60_000) throw new BadInput(field, text, 'a time not in the future');
  return formatTimestamp(iso);
}

/** A document that went to approval, as the CLI prints it: the document and whether it is approved already. */
async function submitted(tx: Tx, result: Submitted): Promise<DocumentRow & { approval: Submitted['approval'] }> {
  return { ...(await loadDocument(tx, result.document.id)), approval: result.approval };
}

const requestDate = (text: string | undefined): BusinessDate => (text ? refuseFutureDate('date', parseDate(text, 'date')) : today());

export const machineList = defineAction({
  name: 'machine.list',
  summary: 'financed machines in the data scope: status, GPS device, last location, contract, customer, collector',
  roles: EVERYONE,
  mutates: false,
  parse: (raw: { status?: string | undefined; dealer?: string | undefined }) => ({
    dealer: raw.dealer,
    status: raw.status ? parseMachineStatus(raw.status) : undefined,
  }),
  run: (tx, actor, input) => listMachines(tx, actor, input),
});

export const machineShow = defineAction({
  name: 'machine.show',
  summary: 'one financed machine with its dated status history and its lock documents',
  roles: EVERYONE,
  mutates: false,
  run: async (tx, actor, input: MachineNamed) => showMachine(tx, actor, await findMachine(tx, actor, input.serial, input.dealer)),
});

export const machineSet = defineAction({
  name: 'machine.set',
  summary: 'set a machine’s GPS device id or last known location (not its status)',
  roles: BACK_OFFICE,
  mutates: true,
  run: async (tx, actor, input: MachineNamed & { gpsDevice?: string | undefined; location?: string | undefined }) => {
    const machine = await findMachine(tx, actor, input.serial, input.dealer);
    await setMachineFields(tx, actor, machine, { gpsDeviceId: input.gpsDevice, location: input.location });
    return showMachine(tx, actor, machine);
  },
});

type RequestRaw = MachineNamed & { reason: string; date?: string | undefined };

export const machineLockRequest = defineAction({
  name: 'machine.lock.request',
  summary: 'apply for a machine lock (锁机): goes through the approval rules; the instruction goes out once approved',
  roles: STAFF,
  mutates: true,
  parse: (raw: RequestRaw) => ({
    ...raw,
    reason: requireText(raw.reason, 'reason', 'why the machine is to be locked'),
    date: requestDate(raw.date),
  }),
  run: async (tx, actor, input) =>
    submitted(
      tx,
      await requestLock(tx, actor, {
        machine: await findMachine(tx, actor, input.serial, input.dealer),
        reason: input.reason,
        date: input.date,
      }),
    ),
});

export const machineUnlockRequest = defineAction({
  name: 'machine.unlock.request',
  summary: 'apply for a machine unlock (解锁): goes through the approval rules; the instruction goes out once approved',
  roles: STAFF,
  mutates: true,
  parse: (raw: RequestRaw) => ({
    ...raw,
    reason: requireText(raw.reason, 'reason', 'why the machine is to be unlocked'),
    date: requestDate(raw.date),
  }),
  run: async (tx, actor, input) =>
    submitted(
      tx,
      await requestUnlock(tx, actor, {
        machine: await findMachine(tx, actor, input.serial, input.dealer),
        reason: input.reason,
        date: input.date,
      }),
    ),
});

type ConfirmRaw = { id: string | number; at?: string | undefined; failed?: boolean | undefined; message?: string | undefined };

function confirmAction<const N extends string>(name: N, action: LockAction) {
  return defineAction({
    name,
    summary: `record the result of an approved ${action} instruction: ${action === 'lock' ? 'locked' : 'unlocked'} at a time (or --failed)`,
    roles: BACK_OFFICE,
    mutates: true,
    parse: (raw: ConfirmRaw) => ({
      id: parseId(raw.id, 'id', `a machine ${action} document id`),
      at: parseMoment(raw.at),
      failed: raw.failed === true,
      message: raw.message?.trim() || null,
    }),
    document: (input) => input.id,
    run: (tx, actor: Actor, input, { subject }: { subject: { document: DocumentRow } }): Promise<Confirmed> =>
      recordOutcome(tx, actor, subject.document, action, {
        result: input.failed ? 'failed' : 'done',
        at: input.at,
        message: input.message,
      }),
  });
}

export const machineLockConfirm = confirmAction('machine.lock.confirm', 'lock');
export const machineUnlockConfirm = confirmAction('machine.unlock.confirm', 'unlock');

export const machineOutboxRead = defineAction({
  name: 'machine.outbox.read',
  summary: 'read the GPS platform’s acknowledgements from the file outbox: locked/unlocked, or failed',
  roles: BACK_OFFICE,
  mutates: true,
  transaction: 'own',
  run: (db, actor, input: { dir?: string | undefined }) => readOutbox(db, actor, input.dir),
});

export const machineProviderSet = defineAction({
  name: 'machine.provider.set',
  summary: 'choose the lock provider (manual or file-outbox) globally or for a dealer, and unlock on settlement',
  roles: ADMIN,
  mutates: true,
  parse: (raw: { provider: string; dir?: string | undefined; dealer?: string | undefined; unlockOnSettlement?: string | undefined }) => {
    const flag = raw.unlockOnSettlement;
    if (flag !== undefined && flag !== 'on' && flag !== 'off') throw new BadInput('unlockOnSettlement', flag, 'on or off');
    return {
      provider: parseProvider(raw.provider),
      dir: raw.dir,
      dealer: raw.dealer,
      unlockOnSettlement: flag === undefined ? undefined : flag === 'on',
    };
  },
  run: async (tx, actor, input) => {
    let dealerId: number | null = null;
    if (input.dealer) {
      const row = await tx('dealers').where({ code: input.dealer }).first('id');
      if (!row) throw new BadInput('dealer', input.dealer, 'a known dealer code');
      dealerId = row.id;
    }
    return setSetting(tx, actor, { ...input, dealerId, dealer: input.dealer ?? null });
  },
});

export const machineProviderShow = defineAction({
  name: 'machine.provider.show',
  summary: 'the lock provider settings: global and per dealer',
  roles: EVERYONE,
  mutates: false,
  run: (tx) => listSettings(tx),
});

export const machineLockLetter = defineAction({
  name: 'machine.lock.letter',
  summary: 'print the pre-lock letter (催收函) to the customer: overdue lines, total, the deadline before the lock (recorded)',
  roles: STAFF,
  mutates: true,
  parse: (
    raw: MachineNamed & { asOf?: string | undefined; deadline?: string | undefined; out?: string | undefined; force?: boolean | undefined },
  ) => {
    const asOf = raw.asOf ? parseDate(raw.asOf, 'asOf') : today();
    const deadline = raw.deadline ? parseDate(raw.deadline, 'deadline') : addDays(asOf, LETTER_DEFAULT_DAYS);
    const force = raw.force === true;
    return { ...raw, asOf, deadline, force, out: raw.out === undefined ? undefined : checkPdfFile(raw.out, force) };
  },
  run: async (tx, actor, input) => {
    const [{ withRenderer }, { writePdf }] = await Promise.all([import('../printing/render.js'), import('../printing/output.js')]);
    const machine = await findMachine(tx, actor, input.serial, input.dealer);
    const letter = await lockLetter(tx, machine, input.asOf, input.deadline);
    const file = input.out ?? checkPdfFile(lockLetterFile(letter), input.force);
    const pdf = await withRenderer((r) => r.htmlToPdf(lockLetterHtml(letter, actor.name)));
    writePdf(file, pdf, input.force);
    await recordLetter(tx, actor, machine, letter, path.resolve(file));
    return {
      dealer: letter.dealer.code,
      serialNo: machine.serialNo,
      contractNo: letter.contractNo,
      customer: letter.customer.name,
      asOf: letter.asOf,
      deadline: letter.deadline,
      overdueDays: letter.overdueDays,
      overdue: letter.overdue,
      penaltyOutstanding: letter.penaltyOutstanding,
      total: letter.total,
      file: path.resolve(file),
    };
  },
});

export const machineActions = [
  machineList,
  machineShow,
  machineSet,
  machineLockRequest,
  machineLockConfirm,
  machineUnlockRequest,
  machineUnlockConfirm,
  machineOutboxRead,
  machineProviderSet,
  machineProviderShow,
  machineLockLetter,
] as const;
