import { shQuote } from '../shell-quote.js';
import { checkFailure, type Op, RemoteOpError } from './protocol.js';

/** Key names of one dotenv-style file and whether each has a value; values never leave the target. */
export interface DotenvFile {
  /** The file's name inside the directory asked about, or "" when a single file was asked about. */
  name: string;
  keys: { name: string; empty: boolean }[];
}

/**
 * The target-side reader, in POSIX awk (gawk, mawk, busybox, BSD). It follows the local reader
 * (src/probes/support/key-names.ts): `KEY=value`, `export KEY=value`, `key: value`; comments,
 * blank lines and [sections] skipped; the lines of a quoted multi-line value skipped. It prints
 * "k:1:NAME" (a value) or "k:0:NAME" (empty: nothing, "", '' or only a # comment) and never a value.
 */
export const keysAwk = String.raw`
function key(s, ex,   name, rest, v, c, set) {
  sub(/^[ \t]+/, "", s)
  if (ex) { if (s !~ /^export[ \t]+/) return 0; sub(/^export[ \t]+/, "", s) }
  if (!match(s, /^[A-Za-z_][A-Za-z0-9_.-]*/)) return 0
  name = substr(s, 1, RLENGTH); rest = substr(s, RLENGTH + 1)
  sub(/^[ \t]+/, "", rest); c = substr(rest, 1, 1)
  if (c != "=" && c != ":") return 0
  v = substr(rest, 2); sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v); c = substr(v, 1, 1)
  set = 1
  if (v == "" || c == "#") set = 0
  else if (c == "\"" || c == "'" || c == "\140") {
    if (substr(v, 2, 1) == c) set = 0
    else if (index(substr(v, 2), c) == 0) q = c
  }
  print "k:" set ":" name
  return 1
}
{ sub(/\r$/, "") }
q != "" { if (index($0, q) > 0) q = ""; next }
/^[ \t]*([#;]|\[)/ || /^[ \t]*$/ { next }
{ if (!key($0, 1)) key($0, 0) }
`;

export const dotenvShell = `fg_keys_awk=${shQuote(keysAwk)}
fg_keys1() {
  [ -r "$1" ] || { fg_tok "e:EACCES"; return; }
  awk "$fg_keys_awk" "$1"; printf '\\000'
}
fg_keys() {
  fg_resolve "$1" "$2"; fg_need "$fg_path"
  if [ -d "$fg_path" ]; then
    { [ -r "$fg_path" ] && [ -x "$fg_path" ]; } || fg_fail EACCES
    for fg_f in "$fg_path"/* "$fg_path"/.[!.]* "$fg_path"/..?*; do
      [ -f "$fg_f" ] && [ ! -L "$fg_f" ] || continue
      fg_tok "f:\${fg_f##*/}"; fg_keys1 "$fg_f"
    done
  else
    [ -f "$fg_path" ] || fg_fail ENOTREG
    fg_tok "f:"; fg_keys1 "$fg_path"
  fi
}
`;

/** Key names of a file, or of every regular file of a directory (sorted by name). */
export function dotenvOp(root: string, path: string): Op<DotenvFile[]> {
  return {
    fn: 'fg_keys',
    args: [root, path],
    timeoutS: 10,
    read(tokens, ctx) {
      checkFailure(tokens.slice(0, 1), ctx, path);
      const files: DotenvFile[] = [];
      for (const t of tokens) {
        if (t.startsWith('f:')) files.push({ name: t.slice(2), keys: [] });
        else if (t === 'e:EACCES') {
          const shown = files.at(-1)?.name ? `${path.replace(/\/$/, '')}/${files.at(-1)!.name}` : path;
          throw new RemoteOpError('EACCES', `${shown}: permission denied`, shown);
        } else if (t.startsWith('k:')) {
          // One token holds all of a file's keys, a line each ("k:1:NAME").
          for (const k of t.split('\n').filter(Boolean)) files.at(-1)?.keys.push({ name: k.slice(4), empty: k[2] === '0' });
        }
      }
      return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
  };
}
