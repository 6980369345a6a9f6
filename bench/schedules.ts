// Schedules generated per second by the pure generator, per method (36 monthly installments each).
import { dec } from '../src/core/money.js';
import { generateSchedule, type ScheduleTerms } from '../src/receivables/schedule.js';

const SECONDS = 2;

for (const method of ['equal_installment', 'equal_principal', 'interest_free'] as const) {
  const terms: ScheduleTerms = {
    method,
    principal: dec('656000.00'),
    annualRate: dec('0.049'),
    termMonths: 36,
    firstDueDate: '2026-01-31',
  };
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < SECONDS * 1000) {
    for (let i = 0; i < 100; i++) generateSchedule(terms);
    count += 100;
  }
  const elapsed = (performance.now() - start) / 1000;
  console.log(
    `${method.padEnd(18)} ${(count / elapsed).toFixed(0).padStart(7)} schedules/s (36 months, ${count} in ${elapsed.toFixed(1)} s)`,
  );
}
