/**
 * A bench's server in a process of its own, as a real node's is: the bench module runs itself again
 * with `env[envName] = mode`, and the child prints the address it serves on as its first line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface ServerChild {
  process: ChildProcess;
  address: string;
}

export async function startServerChild(
  moduleFile: string,
  envName: string,
  mode: string,
): Promise<ServerChild> {
  const child = spawn(process.execPath, [moduleFile], {
    env: { ...process.env, [envName]: mode },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const [address] = (await once(lines, 'line')) as [string];
  return { process: child, address };
}

export async function stopServerChild(child: ServerChild): Promise<void> {
  child.process.stdin!.end();
  child.process.kill();
  if (child.process.exitCode === null) await once(child.process, 'exit');
}
