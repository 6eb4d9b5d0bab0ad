/** Words no spec value may smuggle a command through: quotes, substitutions, separators, newlines, globs. */
export const hostile = [
  "it's",
  '$(touch /tmp/pwned)',
  '`id`',
  'a; rm -rf /',
  'two\nlines',
  '"dq" \\ back',
  '$HOME ${PATH}',
  '*',
  "'",
  '',
  ' lead',
  '-n',
  '!x',
  '\\',
  'a && b || c',
  '> /etc/x',
];
