/**
 * Characters no name may carry, whatever it names (a video, a node, a stream): nothing that can
 * forge a log line or make a name read as another in a list.
 */

// C0 and C1 control characters.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const SEPARATOR = /[\u2028\u2029]/;
// Text direction marks, embeddings, overrides and isolates ("Trojan Source"): "movie\u202Evom.exe"
// shows as "movieexe.mov".
const DIRECTION = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Why `value` holds a character no name may carry, or null. */
export function unprintableProblem(value: string): string | null {
  if (CONTROL.test(value)) return 'it contains control characters';
  if (SEPARATOR.test(value)) return 'it contains a line or paragraph separator';
  if (DIRECTION.test(value)) return 'it contains a text direction mark or override';
  return null;
}
