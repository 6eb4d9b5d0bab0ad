import { toPosixEre } from '../ere.js';
import { checkFailure, type Op, RemoteOpError, tagged } from './protocol.js';

/**
 * The lines that match, found by grep on the target: only their numbers come back, the text stays
 * there. `-a` reads a file with odd bytes as text and `-m N` stops after N matches (both in GNU,
 * busybox and BSD grep); `timeout` bounds the search. The numbers are cut from grep's lines by the
 * shell itself (no more processes: a survey runs many searches).
 */
export const findLineShell = `fg_grep() {
  fg_resolve "$1" "$2"; fg_need "$fg_path"
  [ -d "$fg_path" ] && fg_fail EISDIR
  [ -f "$fg_path" ] || fg_fail ENOTREG
  [ -r "$fg_path" ] || fg_fail EACCES
  fg_o=$(fg_t "$4" grep -n -a -m "$5" -E -e "$3" "$fg_path" 2>/dev/null); fg_s=$?
  case $fg_s in
    0) fg_n=; set -f; fg_ifs=$IFS; IFS='
'
       for fg_l in $fg_o; do fg_n="$fg_n\${fg_l%%:*} "; done
       IFS=$fg_ifs; set +f; fg_tok "n:$fg_n" ;;
    1) fg_tok "n:" ;;
    124|137) fg_fail ETIMEDOUT ;; *) fg_fail EFAILED ;;
  esac
}
`;

/**
 * The numbers of the first `max` lines that match a JavaScript pattern (translated to POSIX ERE,
 * see ere.ts; an untranslatable pattern throws a ConfigError before anything runs); [] for none.
 */
export function findLinesOp(root: string, path: string, pattern: string, opts: { timeoutS: number; max: number }): Op<number[]> {
  const ere = toPosixEre(pattern);
  const bound = Math.max(1, Math.ceil(opts.timeoutS));
  return {
    fn: 'fg_grep',
    args: [root, path, ere, String(bound), String(Math.max(1, Math.floor(opts.max)))],
    timeoutS: bound,
    read(tokens, ctx) {
      if (tagged(tokens, 'e') === 'EFAILED')
        throw new RemoteOpError('EFAILED', `${path}: grep -E on the target could not search with /${pattern}/ (as ${ere})`, path);
      checkFailure(tokens, ctx, path);
      return (tagged(tokens, 'n') ?? '').split(' ').filter(Boolean).map(Number);
    },
  };
}
