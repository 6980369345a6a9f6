// Runs bin/zq the way a user does: a real process, in a folder of the test's own.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ZQ = path.join(ROOT, 'bin', 'zq');

export interface ZqResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function tempDir(prefix = 'zq-e2e-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The environment without any database setting of the developer's shell. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', ...extra };
  for (const key of ['ZQ_DATABASE_URL', 'DATABASE_URL', 'ZQ_DATA_DIR', 'ZQ_USER']) if (!(key in extra)) delete env[key];
  return env;
}

export function startZq(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): ChildProcess {
  return spawn(process.execPath, [ZQ, ...args], { cwd: options.cwd, env: options.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
}

export function finish(child: ChildProcess): Promise<ZqResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => {
      stdout += d;
    });
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}

export function zq(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<ZqResult> {
  return finish(startZq(args, options));
}
