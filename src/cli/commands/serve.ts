import { pending } from './_pending.js';

export const serveCommand = pending('serve');
