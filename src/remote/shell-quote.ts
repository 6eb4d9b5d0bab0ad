/**
 * Quotes one word for a POSIX shell: inside single quotes nothing is special, and a single quote
 * itself is closed, escaped and reopened ('\''). `$()`, backticks, `;` and newlines stay literal.
 *
 * @example shQuote("it's $(id)") // 'it'\''s $(id)'
 */
export function shQuote(word: string): string {
  if (word.includes('\0')) throw new Error('a shell word cannot contain a NUL byte');
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command line for the remote shell in which every argv element stays one word, verbatim. */
export function shJoin(argv: readonly string[]): string {
  return argv.map(shQuote).join(' ');
}
