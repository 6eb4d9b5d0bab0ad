import type { Review } from '../types.js';

/**
 * Warns about a pattern whose matching time can grow exponentially with the input (nested or
 * overlapping quantifiers such as `(a+)+` or `(\w+\s?)*`), from scslre's analysis of the
 * pattern's structure. Such a pattern still runs — in a worker stopped at the check's timeout —
 * but on a long line without a match it times out (ERROR) instead of answering.
 */
export async function reviewPattern(field: string, source: string | undefined): Promise<Review[]> {
  if (source === undefined) return [];
  const mod = await import('scslre');
  // Bundled, a CommonJS module is reached through its default export.
  const analyse = mod.analyse ?? (mod as unknown as { default: typeof mod }).default.analyse;
  let reports: ReturnType<typeof analyse>['reports'];
  try {
    reports = analyse({ source, flags: 'm' }, { reportTypes: { Move: false } }).reports;
  } catch {
    return []; // lint reports patterns that do not compile.
  }
  const worst = reports.find((r) => r.exponential);
  if (!worst) return [];
  const quant = worst.type === 'Trade' ? worst.startQuant : worst.type === 'Self' ? worst.parentQuant : worst.quant;
  return [
    {
      field,
      severity: 'warning',
      problem: `can backtrack catastrophically: ${quant.raw} can match the same text in exponentially many ways, so a long line without a match takes minutes and the check ends in ERROR at its timeout — make the repeated parts unable to overlap, e.g. (a+)+ → a+, (\\w+\\s?)* → [\\w\\s]*`,
    },
  ];
}
