import { createHash } from 'node:crypto';

/**
 * What a browser gets instead of `{"error":{"code":"TOKEN_REQUIRED"...}}` when someone opens a node's
 * player without its token: a short page that says where the full URL comes from. It is static (it
 * echoes nothing from the request, so it cannot carry an injection), runs no script, and its one
 * inline style is allowed by its hash, not by 'unsafe-inline'.
 */
const STYLE = `
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #111; color: #eee; }
main { max-width: 40rem; margin: 10vh auto; padding: 0 1.5rem; }
h1 { font-size: 1.4rem; }
code { background: #222; padding: 0.1rem 0.3rem; border-radius: 3px; }
li { margin: 0.4rem 0; }
`;

export type TokenProblem = 'TOKEN_REQUIRED' | 'TOKEN_INVALID';

const REASON: Record<TokenProblem, string> = {
  TOKEN_REQUIRED:
    'This node opens its player only through the link it printed, which carries its access token.',
  TOKEN_INVALID:
    'The access token in this link is not this node’s: a node makes a new token each time it starts, so a link from an earlier run no longer opens it.',
};

export const TOKEN_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function tokenPage(problem: TokenProblem): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PeerStreamer: open the player through its link</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>Open the player through the link the node printed</h1>
<p data-problem="${problem}">${REASON[problem]}</p>
<p>Use the whole URL, ending in <code>?token=…</code>:</p>
<ul>
<li>a node started with <code>peerstreamer node … --ui</code> prints it when it starts;</li>
<li>the demo, <code>npm run demo</code>, prints it too;</li>
<li>the desktop app opens its player by itself.</li>
</ul>
</main>
</body>
</html>
`;
}

/**
 * A browser navigating to a page asks for text/html; fetch() and API clients ask for JSON or for
 * anything (*\/*). Only the former gets the page, so a script reading the error still gets JSON.
 */
export function wantsHtml(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const types = accept.toLowerCase();
  return types.includes('text/html') && !types.includes('application/json');
}
