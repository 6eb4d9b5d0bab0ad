import { checkFailure, type Op, tagged } from './protocol.js';

/** Where a spec path lands on the target: under --root, symbolic links resolved, and whether it exists. */
export interface Resolved {
  resolved: string;
  exists: boolean;
}

export const resolveShell = `fg_where() {
  fg_resolve "$1" "$2"; fg_tok "p:$fg_path"
  if [ -e "$fg_path" ]; then fg_tok "y:1"; else fg_tok "y:0"; fi
}
`;

/** Resolves `path` under `root`; a symbolic link that leads outside the root is an EscapesRootError. */
export function resolveOp(root: string, path: string): Op<Resolved> {
  return {
    fn: 'fg_where',
    args: [root, path],
    timeoutS: 5,
    read(tokens, ctx) {
      checkFailure(tokens, ctx, path);
      return { resolved: tagged(tokens, 'p') ?? path, exists: tagged(tokens, 'y') === '1' };
    },
  };
}
