/**
 * What the app was launched for. `--node` hands everything after it to the CLI's own node flags;
 * other flags are the app's own (`--tray`, `--help`). Unknown flags in app mode are left alone,
 * because Chromium and the OS add switches of their own (e.g. --no-sandbox, -psn_...).
 */
export type LaunchMode =
  { mode: 'node'; nodeArgs: string[] } | { mode: 'help' } | { mode: 'app'; tray: boolean };

export function parseLaunchArgs(args: readonly string[]): LaunchMode {
  const nodeAt = args.indexOf('--node');
  if (nodeAt >= 0) return { mode: 'node', nodeArgs: [...args.slice(0, nodeAt), ...args.slice(nodeAt + 1)] };
  if (args.includes('--help') || args.includes('-h')) return { mode: 'help' };
  return { mode: 'app', tray: args.includes('--tray') };
}

/**
 * argv without the executable (and, unpackaged, without the app path `electron .` puts before the
 * user's arguments).
 */
export function userArgs(argv: readonly string[], packaged: boolean): string[] {
  return argv.slice(packaged ? 1 : 2);
}
