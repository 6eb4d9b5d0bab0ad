import { checkFailure, tagged, type Op } from './protocol.js';

/** A tool found on the target's PATH, and the first line its version command printed. */
export interface RemoteTool {
  path: string;
  /** The version command's exit code (undefined when it was stopped at its deadline). */
  exitCode: number | undefined;
  /** First non-blank line of its stdout, else of its stderr (at most 300 characters). */
  firstLine: string;
}

/**
 * Looks through PATH as `command -v` would, but only for executable files (never a shell builtin
 * or function), then runs the tool with the version arguments under `timeout`. The PATH is the one
 * a non-interactive SSH session gets (sshd's default), not a login profile's.
 */
export const toolShell = `fg_tool() {
  fg_n=$1; fg_s=$2; shift 2; set -f; fg_p=; fg_ifs=$IFS; IFS=:
  for fg_d in $PATH; do
    [ -n "$fg_d" ] || continue
    if [ -f "$fg_d/$fg_n" ] && [ -x "$fg_d/$fg_n" ]; then fg_p=$fg_d/$fg_n; break; fi
  done
  IFS=$fg_ifs; set +f
  [ -n "$fg_p" ] || { fg_tok "w:"; return; }
  fg_tok "w:$fg_p"
  fg_o=$(fg_t "$fg_s" "$fg_p" "$@" </dev/null 2>/dev/null); fg_c=$?
  case $fg_c in 124|137) fg_fail ETIMEDOUT ;; esac
  [ -n "$(printf '%s' "$fg_o" | tr -d '[:space:]')" ] || fg_o=$(fg_t "$fg_s" "$fg_p" "$@" </dev/null 2>&1 >/dev/null)
  fg_tok "c:$fg_c"
  fg_tok "v:$(printf '%s\\n' "$fg_o" | sed -n '/[^[:space:]]/{p;q;}')"
}
`;

/** Whether `name` is an executable on the target's PATH, and what `name …versionArgs` says. */
export function toolOp(name: string, versionArgs: readonly string[], timeoutS: number): Op<RemoteTool | null> {
  const bound = Math.max(1, Math.ceil(timeoutS));
  return {
    fn: 'fg_tool',
    args: [name, String(bound), ...versionArgs],
    timeoutS: bound * 2,
    read(tokens, ctx) {
      const where = tagged(tokens, 'w');
      if (!where) return null;
      checkFailure(tokens, ctx, name);
      return { path: where, exitCode: Number(tagged(tokens, 'c')), firstLine: (tagged(tokens, 'v') ?? '').trim().slice(0, 300) };
    },
  };
}
