import { checkFailure, type Op, tagged } from './protocol.js';

/** getent where the target has it (glibc, musl, BSD); `id` and /etc/group otherwise (macOS). */
export const accountShell = `fg_account() {
  if command -v getent >/dev/null 2>&1; then
    if [ "$1" = user ]; then fg_o=$(getent passwd "$2"); else fg_o=$(getent group "$2"); fi
    case $? in 0) fg_tok "a:$(printf '%s\\n' "$fg_o" | head -n 1 | cut -d: -f3)" ;; 2) fg_tok "a:" ;; *) fg_fail EFAILED ;; esac
  elif [ "$1" = user ]; then
    fg_tok "a:$(id -u "$2" 2>/dev/null)"
  else
    fg_tok "a:$(awk -F: -v n="$2" '$1 == n { print $3; exit }' /etc/group)"
  fi
}
`;

/** The numeric id of a user or group (a name, or a number looked up as an id), or null when there is none. */
export function accountOp(kind: 'user' | 'group', name: string): Op<number | null> {
  return {
    fn: 'fg_account',
    args: [kind, name],
    timeoutS: 5,
    read(tokens, ctx) {
      checkFailure(tokens, ctx, `${kind} ${name}`);
      const id = tagged(tokens, 'a');
      return id && /^\d+$/.test(id) ? Number(id) : null;
    },
  };
}
