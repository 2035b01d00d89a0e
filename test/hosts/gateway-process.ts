/**
 * The NAT-PMP gateway (nat-pmp-gateway.ts) as a process on the router's namespace: transpiled from
 * its TypeScript into a scratch directory (it and its runner import nothing but Node's builtins),
 * then started with `ip netns exec`. Its stdout is one JSON event a line (fixtures/
 * nat-pmp-gateway-main.ts); readiness is its ready event, never a sleep.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { Behaviour } from './nat-pmp-gateway.js';
import { onHost, type Host } from './netns.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Writes the gateway and its runner as JavaScript under `scratch`; returns the runner's path. */
export function transpileGateway(scratch: string): string {
  const out = path.join(scratch, 'gateway');
  mkdirSync(path.join(out, 'fixtures'), { recursive: true });
  writeFileSync(path.join(out, 'package.json'), '{ "type": "module" }\n');
  for (const file of ['nat-pmp-gateway.ts', 'fixtures/nat-pmp-gateway-main.ts']) {
    const { outputText } = ts.transpileModule(readFileSync(path.join(HERE, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      fileName: file,
    });
    writeFileSync(path.join(out, file.replace(/\.ts$/, '.js')), outputText);
  }
  return path.join(out, 'fixtures', 'nat-pmp-gateway-main.js');
}

export interface GatewayProcess {
  readonly logs: string[];
  /** Whether a log line matching `pattern` came yet. */
  logged(pattern: RegExp): boolean;
  /** Requests it received so far. */
  requests(): number;
  /** SIGTERM: it deletes its forwards and exits. */
  stop(): Promise<void>;
}

export async function startGatewayOn(
  router: Host,
  runner: string,
  options: { bind: string; external: string; behaviour: Behaviour; table: string; tcpMap: string },
): Promise<GatewayProcess> {
  const [command, argv] = onHost(router, process.execPath, [
    runner,
    options.bind,
    options.external,
    options.behaviour,
    options.table,
    options.tcpMap,
  ]);
  const child: ChildProcess = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const event = JSON.parse(line) as { event: string; line?: string };
      if (event.event === 'ready') resolve();
      else if (event.line !== undefined) logs.push(event.line);
    });
    void exited.then(() =>
      reject(new Error(`the NAT-PMP gateway exited before it was ready:\n${stderr.join('\n')}`)),
    );
  });
  return {
    logs,
    logged: (pattern) => logs.some((line) => pattern.test(line)),
    requests: () => logs.filter((line) => line.startsWith('request from ')).length,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
