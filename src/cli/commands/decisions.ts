import { pending } from './_pending.js';

export const approveCommand = pending('approve');
export const revokeCommand = pending('revoke');
export const approvalsCommand = pending('approvals');
export const waiveCommand = pending('waive');
export const unwaiveCommand = pending('unwaive');
export const flipCommand = pending('flip');
export const disableCommand = pending('disable');
export const resumeCommand = pending('resume');
export const watchCommand = pending('watch');
