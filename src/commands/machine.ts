// zq machine …: the financed machines (债权机管理). This file only makes the group; each part adds its commands
// (repossession and disposition: ./machine-repossess.ts).
import type { Command } from 'commander';
import { registerRepossess } from './machine-repossess.js';

export function register(program: Command): void {
  const machine = program.command('machine').description('financed machines (债权机管理): repossession and disposition');
  registerRepossess(machine);
}
