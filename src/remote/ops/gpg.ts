import { checkFailure, type Op, RemoteOpError, tagged } from './protocol.js';

/** The public keys of a GnuPG home on the target. */
export interface RemoteKeyring {
  /** The home that was read (GNUPGHOME or ~/.gnupg of the login user, when none was named). */
  home: string;
  /** False when the home or its public keyring does not exist. */
  present: boolean;
  /** True when the home itself does not exist. */
  missing: boolean;
  /** Fingerprints of primary keys, and of primary keys and subkeys. */
  primary: string[];
  all: string[];
}

/**
 * gpg writes to its home even to list keys, so the public keyring is copied into a private
 * `mktemp -d` folder on the target, listed there (no agent started), and the folder removed, also
 * when the operation is stopped: the real home is only read. Only `pub`, `sub` and `fpr` records
 * (key type and fingerprint) come back, no user ids.
 */
export const gpgShell = `fg_gpg() {
  if [ -n "$2" ]; then fg_resolve "$1" "$2"; fg_h=$fg_path; else fg_h=\${GNUPGHOME:-$HOME/.gnupg}; fi
  fg_tok "h:$fg_h"; fg_g=$3
  if ! fg_m=$(ls -dL "$fg_h" 2>&1 >/dev/null); then
    [ "$(fg_errno "$fg_m")" = ENOENT ] && { fg_tok "k:0"; fg_tok "m:1"; return; }
    fg_fail "$(fg_errno "$fg_m")"
  fi
  set --
  for fg_f in pubring.kbx pubring.gpg trustdb.gpg; do [ -f "$fg_h/$fg_f" ] && set -- "$@" "$fg_f"; done
  [ -f "$fg_h/pubring.kbx" ] || [ -f "$fg_h/pubring.gpg" ] || { fg_tok "k:0"; return; }
  command -v gpg >/dev/null 2>&1 || fg_fail ENOTOOL
  fg_tmp=$(mktemp -d "\${TMPDIR:-/tmp}/flipgate-gpg.XXXXXX") || fg_fail EFAILED
  trap 'rm -rf "$fg_tmp"' EXIT; trap 'rm -rf "$fg_tmp"; exit 143' HUP INT TERM
  for fg_f; do cp "$fg_h/$fg_f" "$fg_tmp/$fg_f" 2>/dev/null || fg_fail EACCES; done
  fg_o=$(fg_t "$fg_g" gpg --homedir "$fg_tmp" --batch --no-tty --no-autostart --no-auto-check-trustdb --with-colons --fixed-list-mode --list-keys 2>/dev/null)
  case $? in 0|2) ;; 124|137) fg_fail ETIMEDOUT ;; *) fg_fail EFAILED ;; esac
  fg_tok "k:1"
  printf '%s\\n' "$fg_o" | awk -F: '$1 == "pub" || $1 == "sub" || $1 == "fpr" { print "g:" $1 ":" $10 }' | tr '\\n' '\\000'
}
`;

/** Reads the keyring of `home` (under --root), or of the login user's GNUPGHOME or ~/.gnupg. */
export function gpgOp(root: string, home: string | undefined, timeoutS: number): Op<RemoteKeyring> {
  const bound = Math.max(1, Math.ceil(timeoutS));
  return {
    fn: 'fg_gpg',
    args: [root, home ?? '', String(bound)],
    timeoutS: bound,
    alone: true,
    read(tokens, ctx) {
      const shown = home ?? tagged(tokens, 'h') ?? '~/.gnupg';
      if (tagged(tokens, 'e') === 'ENOTOOL')
        throw new RemoteOpError('ENOTOOL', "gpg is not on the target's PATH: install GnuPG there to check keys", shown);
      if (tagged(tokens, 'e') === 'EFAILED') throw new RemoteOpError('EFAILED', `gpg --list-keys failed on the target for ${shown}`, shown);
      checkFailure(tokens, ctx, shown);
      const primary: string[] = [];
      const all: string[] = [];
      let last = '';
      for (const t of tokens.filter((x) => x.startsWith('g:'))) {
        const [, type, fpr] = t.split(':');
        if (type === 'pub' || type === 'sub') last = type;
        else if (type === 'fpr' && fpr) {
          all.push(fpr);
          if (last === 'pub') primary.push(fpr);
          last = '';
        }
      }
      return {
        home: tagged(tokens, 'h') ?? shown,
        present: tagged(tokens, 'k') === '1',
        missing: tagged(tokens, 'm') === '1',
        primary,
        all,
      };
    },
  };
}
