/**
 * Escapes text for XML and HTML, in element content and in double-quoted attributes. Characters XML 1.0
 * cannot carry at all, even escaped (most C0 controls, U+FFFE, U+FFFF), are dropped.
 */
export function escapeMarkup(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
