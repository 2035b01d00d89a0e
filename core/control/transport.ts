/**
 * Which local transport carries the control channel. Where the platform has Unix domain sockets the
 * node listens on an owner-only socket in the store; on Windows, where a Unix socket cannot be limited
 * to one user from Node, on a named pipe whose requests must carry the store's control token. The
 * platform is a parameter, so tests run the Windows branch on Linux: the transport is node:net either
 * way, and a directory stands in for the pipe namespace.
 */
export interface ControlTransportOptions {
  /** Whose rules apply (default: this process's platform). */
  platform?: NodeJS.Platform;
  /**
   * Where named pipes are made, `\\.\pipe\` by default. Tests on Linux name a directory (ending with
   * a separator) so the pipe-mode server and client meet on a Unix socket there.
   */
  pipeNamespace?: string;
  /** For XDG_RUNTIME_DIR, where a Unix socket goes when the store's path is too long. */
  env?: NodeJS.ProcessEnv;
}

export type ControlTransport = 'unix' | 'pipe';

export function transportFor(platform: NodeJS.Platform = process.platform): ControlTransport {
  return platform === 'win32' ? 'pipe' : 'unix';
}

/** The local named-pipe namespace every Windows process shares. */
export const WINDOWS_PIPE_NAMESPACE = '\\\\.\\pipe\\';
