import { toPosixEre } from '../ere.js';
import { checkFailure, RemoteOpError, tagged, type Op } from './protocol.js';

/**
 * The first line that matches, found by grep on the target: only its number comes back, the text
 * stays there. `-a` reads a file with odd bytes as text and `-m 1` stops at the first match
 * (both in GNU, busybox and BSD grep); `timeout` bounds the search.
 */
export const findLineShell = `fg_grep() {
  fg_resolve "$1" "$2"; fg_need "$fg_path"
  [ -d "$fg_path" ] && fg_fail EISDIR
  [ -r "$fg_path" ] || fg_fail EACCES
  fg_o=$(fg_t "$4" grep -n -a -m 1 -E -e "$3" "$fg_path" 2>/dev/null); fg_s=$?
  case $fg_s in 0) fg_tok "n:\${fg_o%%:*}" ;; 1) fg_tok "n:" ;; 124|137) fg_fail ETIMEDOUT ;; *) fg_fail EFAILED ;; esac
}
`;

/**
 * The line number of the first match of a JavaScript pattern (translated to POSIX ERE, see ere.ts;
 * an untranslatable pattern throws a ConfigError before anything runs), or null for no match.
 */
export function findLineOp(root: string, path: string, pattern: string, timeoutS: number): Op<number | null> {
  const ere = toPosixEre(pattern);
  const bound = Math.max(1, Math.ceil(timeoutS));
  return {
    fn: 'fg_grep',
    args: [root, path, ere, String(bound)],
    timeoutS: bound,
    read(tokens, ctx) {
      if (tagged(tokens, 'e') === 'EFAILED') throw new RemoteOpError('EFAILED', `${path}: grep -E on the target could not search with /${pattern}/ (as ${ere})`, path);
      checkFailure(tokens, ctx, path);
      const n = tagged(tokens, 'n');
      return n ? Number(n) : null;
    },
  };
}
