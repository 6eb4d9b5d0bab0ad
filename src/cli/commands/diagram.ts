import { pending } from './_pending.js';

export const diagramCommand = pending('diagram');
