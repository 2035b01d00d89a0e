// npm links `bin` entries as-is, so the compiled CLI must carry the executable bit itself.
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/core/cli/main.js', import.meta.url), 0o755);
