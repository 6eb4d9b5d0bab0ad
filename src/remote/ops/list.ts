import { checkFailure, type Op } from './protocol.js';

/** One entry of a directory, typed as node's Dirent types it (a symbolic link is not followed). */
export interface RemoteDirEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
}

export const listShell = `fg_list() {
  fg_resolve "$1" "$2"; fg_need "$fg_path"
  [ -d "$fg_path" ] || fg_fail ENOTDIR
  { [ -r "$fg_path" ] && [ -x "$fg_path" ]; } || fg_fail EACCES
  for fg_f in "$fg_path"/* "$fg_path"/.[!.]* "$fg_path"/..?*; do
    [ -e "$fg_f" ] || [ -L "$fg_f" ] || continue
    if [ -L "$fg_f" ]; then fg_k=l; elif [ -f "$fg_f" ]; then fg_k=f; elif [ -d "$fg_f" ]; then fg_k=d; else fg_k=o; fi
    fg_tok "$fg_k:\${fg_f##*/}"
  done
}
`;

const types = { f: 'file', d: 'directory', l: 'symlink', o: 'other' } as const;

/** The entries of a directory, sorted by name. */
export function listOp(root: string, dir: string): Op<RemoteDirEntry[]> {
  return {
    fn: 'fg_list',
    args: [root, dir],
    timeoutS: 10,
    read(tokens, ctx) {
      checkFailure(tokens, ctx, dir);
      return tokens
        .filter((t) => /^[fdlo]:/.test(t))
        .map((t) => ({ name: t.slice(2), type: types[t[0] as keyof typeof types] }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
  };
}
