import { pending } from './_pending.js';

export const auditCommand = pending('audit');
export const auditVerifyCommand = pending('audit verify');
export const auditCheckpointCommand = pending('audit checkpoint');
export const storeCopyCommand = pending('store copy');
