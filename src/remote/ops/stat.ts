import { RemoteProtocolError } from '../errors.js';
import { checkFailure, type Op, tagged } from './protocol.js';

/** A file's stat on the target, following symbolic links (as node's fs.stat does). */
export interface RemoteStat {
  /** The path on the target after --root and symbolic links. */
  resolved: string;
  type: 'file' | 'directory' | 'other';
  /** Permission bits as four octal digits, "0640". */
  mode: string;
  uid: number;
  gid: number;
  /** Account names from the target's own databases; the number when it has no name. */
  owner: string;
  group: string;
  size: number;
}

/** GNU/busybox `stat -c` first; BSD and macOS `stat -f` when -c is not understood. */
export const statShell = `fg_stat() {
  fg_resolve "$1" "$2"; fg_tok "p:$fg_path"
  if fg_o=$(stat -L -c '%f %u %g %U %G %s' "$fg_path" 2>&1); then fg_tok "s:$fg_o"; return; fi
  case $(fg_errno "$fg_o") in EFAILED) ;; *) fg_fail "$(fg_errno "$fg_o")" ;; esac
  fg_o=$(stat -L -f '%Xp %u %g %Su %Sg %z' "$fg_path" 2>&1) || fg_fail "$(fg_errno "$fg_o")"
  fg_tok "s:$fg_o"
}
`;

/** Reads "hexmode uid gid owner group size" into a RemoteStat. */
export function parseStatLine(line: string, resolved: string, target: string): RemoteStat {
  const [hex, uid, gid, owner, group, size] = line.trim().split(/\s+/);
  const raw = parseInt(hex ?? '', 16);
  if (!Number.isFinite(raw) || !/^\d+$/.test(uid ?? '') || !/^\d+$/.test(gid ?? '')) {
    throw new RemoteProtocolError(target, `stat on the target printed something unexpected for ${resolved}`);
  }
  const kind = raw & 0o170000;
  const name = (n: string | undefined, id: string) => (!n || n === 'UNKNOWN' ? id : n);
  return {
    resolved,
    type: kind === 0o100000 ? 'file' : kind === 0o040000 ? 'directory' : 'other',
    mode: (raw & 0o7777).toString(8).padStart(4, '0'),
    uid: Number(uid),
    gid: Number(gid),
    owner: name(owner, uid!),
    group: name(group, gid!),
    size: Number(size ?? 0),
  };
}

export function statOp(root: string, path: string): Op<RemoteStat> {
  return {
    fn: 'fg_stat',
    args: [root, path],
    timeoutS: 5,
    read(tokens, ctx) {
      checkFailure(tokens, ctx, path);
      return parseStatLine(tagged(tokens, 's') ?? '', tagged(tokens, 'p') ?? path, ctx.target);
    },
  };
}
