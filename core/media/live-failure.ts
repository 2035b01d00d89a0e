/**
 * Why a live ffmpeg run stopped when nobody asked it to, as one line naming the input and what to do.
 * ffmpeg's own last error line is quoted, and the causes a person can fix (a port another program
 * holds, an address this machine does not have) get their own code and advice.
 */
import { PeerStreamerError, errorMessage } from '../util/errors.js';
import type { FfmpegExit } from './ffmpeg-process.js';
import { describeLiveInput, parseListenUrl, type LiveInput } from './live-input.js';
import { lastMeaningfulLine } from './probe.js';

function listenAddress(input: LiveInput): { host: string; port: number } | null {
  return input.kind === 'rtmp' || input.kind === 'srt' ? parseListenUrl(input.kind, input.listen) : null;
}

export function liveFfmpegFailure(input: LiveInput, exit: FfmpegExit, stderr: string): PeerStreamerError {
  const where = describeLiveInput(input);
  if (exit.spawnError !== null) {
    return new PeerStreamerError(
      'FFMPEG_FAILED',
      `ffmpeg could not be started for ${where} (${errorMessage(exit.spawnError)}); set PEERSTREAMER_FFMPEG to a working ffmpeg.`,
      { input: where },
      { cause: exit.spawnError },
    );
  }
  const last = lastMeaningfulLine(stderr) || `exit code ${String(exit.code)}, signal ${String(exit.signal)}`;
  const context = { input: where, exitCode: exit.code, signal: exit.signal, stderr: stderr.slice(-2000) };
  const address = listenAddress(input);
  if (address !== null && /address already in use/i.test(stderr)) {
    return new PeerStreamerError(
      'PORT_IN_USE',
      `${where} cannot listen: port ${address.port} is already in use (by another program, or another live stream); stop that one or listen on another port.`,
      { ...context, port: address.port },
    );
  }
  if (address !== null && /cannot assign requested address/i.test(stderr)) {
    return new PeerStreamerError(
      'INVALID_ARGUMENT',
      `${where} cannot listen: this machine has no address ${address.host}; listen on 0.0.0.0 or on one of this machine's own addresses.`,
      { ...context, host: address.host },
    );
  }
  if (
    address !== null &&
    /failed to resolve|name or service not known|temporary failure in name/i.test(stderr)
  ) {
    return new PeerStreamerError(
      'INVALID_ARGUMENT',
      `${where} cannot listen: the host name ${address.host} does not resolve; listen on 0.0.0.0 or on one of this machine's own addresses.`,
      { ...context, host: address.host },
    );
  }
  if (input.kind === 'camera' && /no such file or directory|no such device/i.test(stderr)) {
    return new PeerStreamerError(
      'INPUT_NOT_FOUND',
      `${where} is gone (${last}); plug the camera in again, or name another device (ls /dev/video*).`,
      context,
    );
  }
  return new PeerStreamerError(
    'FFMPEG_FAILED',
    `ffmpeg stopped reading ${where}: ${last}; check that the input still sends (publisher, camera, file) and start the live stream again.`,
    context,
  );
}

/** The watchdog's error: the input went quiet for longer than allowed. */
export function inputStalled(input: LiveInput, quietMs: number): PeerStreamerError {
  const where = describeLiveInput(input);
  const seconds = (quietMs / 1000).toFixed(1);
  return new PeerStreamerError(
    'TIMEOUT',
    `${where}: input stopped sending (nothing for ${seconds} s); check the publisher or device and its network, then start the live stream again.`,
    { input: where, quietMs },
  );
}
