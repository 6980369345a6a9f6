// The pre-lock letter (催收函, issue 21 point 9): printed to the customer before a machine is locked — the
// dealer's letterhead, the contract and the machine, the overdue lines and the total to pay as of a date
// (contract show's figures, as the collection notice has them: printing/notice.ts noticeOf), and the deadline
// after which the machine will be locked. Printing one is recorded (audit) on the machine.
import type { Knex } from 'knex';
import type { Actor } from '../access/actor.js';
import { writeAudit } from '../audit/index.js';
import { addDays, type BusinessDate, formatTimestamp } from '../core/dates.js';
import { BadInput, Refused } from '../core/errors.js';
import type { Tx } from '../db/index.js';
import { assertContractActive } from '../ledger/contract-ref.js';
import { findDealer, userContact } from '../organisation/index.js';
import { type Notice, noticeOf } from '../printing/notice.js';
import { fileNamePart } from '../printing/output.js';
import { loadTemplate } from '../printing/templates.js';
import { contractById } from '../receivables/operations.js';
import { contractShow } from '../receivables/show.js';
import { MACHINE_STATUS_LABELS, type MachineRef } from './status.js';

/** Days between the letter and the lock when no deadline is given. */
export const LETTER_DEFAULT_DAYS = 7;
export const LETTER_MAX_DAYS = 90;

export interface LockLetter extends Notice {
  letterNo: string;
  machine: { serialNo: string; model: string; gpsDeviceId: string | null };
  deadline: BusinessDate;
  issued: BusinessDate;
}

/** The letter's content; refused for a closed contract, a machine that cannot be locked, nothing overdue. */
export async function lockLetter(knex: Knex, machine: MachineRef, asOf: BusinessDate, deadline: BusinessDate): Promise<LockLetter> {
  if (deadline <= asOf) throw new BadInput('deadline', deadline, `a date after ${asOf}`);
  if (deadline > addDays(asOf, LETTER_MAX_DAYS))
    throw new BadInput('deadline', deadline, `a date at most ${LETTER_MAX_DAYS} days after ${asOf}`);
  if (machine.contractId === null) throw new Refused(`machine ${machine.serialNo} is under no contract: there is nothing to collect`);
  const ref = await contractById(knex, machine.contractId);
  assertContractActive(ref, 'pre-lock letter');
  if (machine.status !== 'normal')
    throw new Refused(
      `machine ${machine.serialNo} is ${machine.status} (${MACHINE_STATUS_LABELS[machine.status]}): a pre-lock letter is for a normal machine`,
    );
  const show = await contractShow(knex, ref, asOf);
  const d = await findDealer(knex, ref.dealer);
  const dealer = { code: d.code, name: d.name, address: d.address, phone: d.phone, bankName: d.bankName, bankAccount: d.bankAccount };
  const notice = noticeOf(show, dealer, await userContact(knex, show.collector));
  if (notice.lines.length === 0)
    throw new Refused(`nothing is overdue on contract ${ref.dealer}/${ref.contractNo} on ${asOf}: no letter to print`);
  const gps = await knex('machines').where({ id: machine.id }).first('gps_device_id as gpsDeviceId');
  return {
    ...notice,
    letterNo: `${ref.contractNo}-${machine.serialNo}-${asOf.replace(/-/g, '')}`,
    machine: { serialNo: machine.serialNo, model: machine.model, gpsDeviceId: gps.gpsDeviceId ?? null },
    deadline,
    issued: asOf,
  };
}

export function lockLetterHtml(letter: LockLetter, printedBy: string): string {
  return loadTemplate('lock-letter', { dealerCode: letter.dealer.code })({
    ...letter,
    title: '催　收　函',
    printedBy,
    printedAt: formatTimestamp(new Date()).slice(0, 16).replace('T', ' '),
    signatures: [
      { label: '送达人', name: letter.collector?.name ?? '' },
      { label: '客户签收', name: '' },
      { label: '签收日期', name: '' },
    ],
  });
}

/** lock-letter_{dealer}_{serial}_{date}.pdf */
export function lockLetterFile(letter: LockLetter): string {
  return `lock-letter_${fileNamePart(letter.dealer.code)}_${fileNamePart(letter.machine.serialNo)}_${letter.asOf}.pdf`;
}

export async function recordLetter(tx: Tx, actor: Actor, machine: MachineRef, letter: LockLetter, file: string): Promise<void> {
  await writeAudit(tx, actor, {
    action: 'machine.lock.letter',
    entity: 'machine',
    entityId: machine.id,
    dealerId: machine.dealerId,
    details: {
      serialNo: machine.serialNo,
      contractNo: letter.contractNo,
      asOf: letter.asOf,
      deadline: letter.deadline,
      total: letter.total,
      file,
    },
  });
}
