import { accountShell } from './account.js';
import { dotenvShell } from './dotenv.js';
import { findLineShell } from './find-line.js';
import { gpgShell } from './gpg.js';
import { listShell } from './list.js';
import { prelude } from './prelude.js';
import { resolveShell } from './resolve.js';
import { statShell } from './stat.js';
import { toolShell, whichShell } from './tool.js';

/**
 * The target-side library: POSIX sh functions, sent on stdin with each batch (about 5 KB) and
 * never written to the target. Its only outputs are NUL-terminated tokens on stdout.
 */
export const library = [
  prelude,
  statShell,
  resolveShell,
  listShell,
  dotenvShell,
  findLineShell,
  toolShell,
  whichShell,
  gpgShell,
  accountShell,
].join('');
