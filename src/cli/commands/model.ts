import { pending } from './_pending.js';

export const testCommand = pending('test');
export const checkCommand = pending('check');
