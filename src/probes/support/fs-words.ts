const fsWords: Record<string, string> = {
  ENOENT: 'does not exist',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a parent is not a directory',
  ELOOP: 'too many symbolic links',
  EISDIR: 'is a directory',
  EIO: 'input/output error',
  ENAMETOOLONG: 'name too long',
  ENXIO: 'no reader or device behind it',
};

/** A file-system error in words, without echoing anything read from a file. */
export function describeFsError(e: unknown): string {
  const code = errnoOf(e);
  if (code && fsWords[code]) return `${fsWords[code]} (${code})`;
  return code ? `file-system error ${code}` : 'file-system error';
}

export function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}
