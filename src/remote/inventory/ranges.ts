/**
 * Expands Ansible's host ranges: `web[01:20].example.com` is web01 … web20 (a leading zero keeps
 * the width), `db-[a:f]` is db-a … db-f, `[1:9:2]` steps by two; several ranges multiply. Throws a
 * plain Error with the reason; the parsers add the file and line.
 */
export function expandHostRange(pattern: string): string[] {
  const m = /\[([^\]]*)\]/.exec(pattern);
  if (!m) return [pattern];
  const parts = m[1]!.split(':');
  if (parts.length < 2 || parts.length > 3) throw new Error(`host range [${m[1]}] must be [start:end] or [start:end:step]`);
  const [beg, end, stepText] = parts as [string, string, string?];
  const step = stepText === undefined || stepText === '' ? 1 : Number(stepText);
  if (!Number.isInteger(step) || step < 1) throw new Error(`host range [${m[1]}] has a step that is not a positive whole number`);
  let values: string[];
  if (/^\d+$/.test(beg) && /^\d+$/.test(end)) {
    const width = beg.length > 1 && beg.startsWith('0') ? beg.length : 0;
    values = stepped(Number(beg), Number(end), step, m[1]!).map((n) => String(n).padStart(width, '0'));
  } else if (/^[a-zA-Z]$/.test(beg) && /^[a-zA-Z]$/.test(end)) {
    values = stepped(beg.charCodeAt(0), end.charCodeAt(0), step, m[1]!).map((c) => String.fromCharCode(c));
  } else {
    throw new Error(`host range [${m[1]}] must run between two numbers or two letters`);
  }
  const head = pattern.slice(0, m.index);
  const tail = pattern.slice(m.index + m[0].length);
  return values.flatMap((v) => expandHostRange(tail).map((rest) => `${head}${v}${rest}`));
}

function stepped(from: number, to: number, step: number, text: string): number[] {
  if (to < from) throw new Error(`host range [${text}] ends before it starts`);
  if ((to - from) / step > 10_000) throw new Error(`host range [${text}] names more than 10,000 hosts`);
  const out: number[] = [];
  for (let n = from; n <= to; n += step) out.push(n);
  return out;
}
