import { checkFailure, type Op, tagged } from './protocol.js';

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

/** Where a tool is, without running it: a bare name on PATH, or an absolute path checked as is ("d:" when it is there but not executable). */
export const whichShell = `fg_which() {
  case $1 in
    */*) if [ -f "$1" ] && [ -x "$1" ]; then fg_tok "w:$1"; elif [ -e "$1" ]; then fg_tok "d:"; else fg_tok "w:"; fi; return ;;
  esac
  set -f; fg_ifs=$IFS; IFS=:
  for fg_d in $PATH; do
    [ -n "$fg_d" ] || continue
    if [ -f "$fg_d/$1" ] && [ -x "$fg_d/$1" ]; then IFS=$fg_ifs; fg_tok "w:$fg_d/$1"; return; fi
  done
  IFS=$fg_ifs; fg_tok "w:"
}
`;

/** The path of a tool on the target ("" when absent), or "denied" when an absolute path is not executable. */
export function whichOp(name: string): Op<{ path: string } | 'denied'> {
  return {
    fn: 'fg_which',
    args: [name],
    timeoutS: 5,
    read(tokens, ctx) {
      checkFailure(tokens, ctx, name);
      return tagged(tokens, 'd') !== undefined ? 'denied' : { path: tagged(tokens, 'w') ?? '' };
    },
  };
}

/** Whether `name` is an executable on the target's PATH, and what `name …versionArgs` says. */
export function toolOp(name: string, versionArgs: readonly string[], timeoutS: number): Op<RemoteTool | null> {
  const bound = Math.max(1, Math.ceil(timeoutS));
  return {
    fn: 'fg_tool',
    args: [name, String(bound), ...versionArgs],
    timeoutS: bound * 2,
    alone: true,
    read(tokens, ctx) {
      const where = tagged(tokens, 'w');
      if (!where) return null;
      checkFailure(tokens, ctx, name);
      return { path: where, exitCode: Number(tagged(tokens, 'c')), firstLine: (tagged(tokens, 'v') ?? '').trim().slice(0, 300) };
    },
  };
}
