import { defineProbe, fail, pass } from './types.js';

/** Enough distinct principals have signed off on this GAP (sign-offs come from the ledger, through the runner). */
export const approvalProbe = defineProbe({
  kind: 'approval',
  summary: 'at least `min` distinct principals (optionally from `principals`) have signed off on this GAP',
  params: (z) => ({
    min: z.number().int().min(1),
    principals: z.array(z.string().min(1)).min(1).optional(),
  }),
  async run(p, ctx) {
    const excluded = new Set(ctx.excludedPrincipals);
    const allowed = p.principals ? new Set(p.principals) : undefined;
    const counted = new Set<string>();
    const refused: string[] = [];
    for (const s of ctx.signoffs) {
      if (excluded.has(s.principal)) refused.push(`${s.principal} (the requester)`);
      else if (allowed && !allowed.has(s.principal)) refused.push(`${s.principal} (not an allowed principal)`);
      else counted.add(s.principal);
    }
    const who = [...counted].sort();
    const observed = { min: p.min, approvers: who, notCounted: [...new Set(refused)] };
    const refusedText = refused.length ? `; not counted: ${[...new Set(refused)].join(', ')}` : '';
    if (who.length >= p.min) return pass(`${who.length} of ${p.min} approval(s): ${who.join(', ')}${refusedText}`, observed);
    const from = p.principals ? ` from ${p.principals.join(', ')}` : '';
    return fail(`${who.length} of ${p.min} approval(s)${from}${who.length ? `: ${who.join(', ')}` : ''}${refusedText}`, observed);
  },
});
