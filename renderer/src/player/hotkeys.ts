import type Player from 'video.js/dist/types/player';

/**
 * Keyboard shortcuts while the player has focus: the usual web-player set (k/space, f, m, arrows).
 * video.js's default hotkeys lack seeking and volume, so this replaces them.
 */
export function handleHotkey(this: Player, event: KeyboardEvent): void {
  hotkey(this, event);
}

function hotkey(player: Player, event: KeyboardEvent): void {
  const step = (seconds: number): void => {
    const duration = player.duration() ?? 0;
    player.currentTime(
      Math.min(Math.max(0, (player.currentTime() ?? 0) + seconds), Math.max(0, duration - 0.1)),
    );
  };
  switch (event.key) {
    case ' ':
    case 'k':
      if (player.paused()) void player.play();
      else player.pause();
      break;
    case 'f':
      if (player.isFullscreen()) void player.exitFullscreen();
      else void player.requestFullscreen();
      break;
    case 'm':
      player.muted(!player.muted());
      break;
    case 'ArrowLeft':
      step(-5);
      break;
    case 'ArrowRight':
      step(5);
      break;
    case 'ArrowUp':
      player.volume(Math.min(1, (player.volume() ?? 1) + 0.1));
      break;
    case 'ArrowDown':
      player.volume(Math.max(0, (player.volume() ?? 1) - 0.1));
      break;
    default:
      return;
  }
  event.preventDefault();
}
