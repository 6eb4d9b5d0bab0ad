/**
 * The helpers every target-side operation uses, in POSIX sh. Messages are read in the C locale;
 * `realpath` (coreutils, busybox, BSD, macOS 13+) resolves symbolic links for the root check.
 *
 * fg_tok WORD       prints one NUL-terminated token
 * fg_fail CODE      ends the operation with an errno-like code
 * fg_t SECS CMD…    runs CMD bounded by `timeout` where the target has it; only inside $(…),
 *                   which it replaces (exec: one process fewer for each use)
 * fg_need PATH      fails with the errno of PATH when it cannot be reached (ls -dL's message)
 * fg_resolve ROOT P sets fg_path to ROOT+P with links resolved; a path outside ROOT ends the
 *                   operation with an "x:" token (escapes --root). Spec paths have no "..", so
 *                   a path without a symbolic link in it is resolved without running realpath;
 *                   the batch resolves its root once (fg_root_asked, fg_root_real).
 * fg_op I FN ARGS…  runs one operation in a subshell, framed by "@I" and "=STATUS", its stdin
 *                   /dev/null (the rest of the script is on sh's stdin: nothing may read it)
 */
export const prelude = `LC_ALL=C; export LC_ALL
fg_tok() { printf '%s\\000' "$1"; }
fg_fail() { fg_tok "e:$1"; exit 0; }
fg_t() { fg_s=$1; shift; if command -v timeout >/dev/null 2>&1; then exec timeout -k 1 "$fg_s" "$@"; else exec "$@"; fi; }
fg_errno() {
  case $1 in
    *'No such file'*) echo ENOENT ;; *'Permission denied'*) echo EACCES ;; *'Not a directory'*) echo ENOTDIR ;;
    *'symbolic links'*) echo ELOOP ;; *'Input/output'*) echo EIO ;; *) echo EFAILED ;;
  esac
}
fg_need() { [ -e "$1" ] || { fg_m=$(ls -dL "$1" 2>&1 >/dev/null) || fg_fail "$(fg_errno "$fg_m")"; }; }
fg_resolve() {
  command -v realpath >/dev/null 2>&1 || fg_fail ENOREALPATH
  fg_root=
  if [ "$1" = "$fg_root_asked" ]; then fg_root=$fg_root_real
  elif [ "$1" != / ]; then fg_root=$(realpath "$1" 2>&1) || fg_fail "$(fg_errno "$fg_root")"; fi
  fg_cur=$fg_root; fg_rest=\${2#/}
  while [ -n "$fg_rest" ]; do
    fg_c=\${fg_rest%%/*}; if [ "$fg_c" = "$fg_rest" ]; then fg_rest=; else fg_rest=\${fg_rest#*/}; fi
    fg_cur=$fg_cur/$fg_c
    [ -L "$fg_cur" ] && break
  done
  if [ -z "$fg_rest" ] && [ ! -L "$fg_cur" ]; then fg_path=$fg_root$2; return; fi
  fg_cur=$fg_root$2; fg_tail=
  while [ ! -e "$fg_cur" ] && [ "$fg_cur" != / ]; do
    fg_tail=/\${fg_cur##*/}$fg_tail; fg_cur=\${fg_cur%/*}; [ -n "$fg_cur" ] || fg_cur=/
  done
  fg_real=$(realpath "$fg_cur" 2>&1) || fg_fail "$(fg_errno "$fg_real")"
  fg_path=\${fg_real%/}$fg_tail; [ -n "$fg_path" ] || fg_path=/
  case $fg_path/ in "$fg_root"/*) ;; *) fg_tok "x:$fg_path"; exit 0 ;; esac
}
fg_op() { fg_i=$1; shift; fg_tok "@$fg_i"; ( "$@" ) </dev/null; fg_tok "=$?"; }
`;
