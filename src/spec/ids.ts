/** Workflow, gate, GAP, section and check ids: a letter, then letters, digits, - and _. */
export const idPattern = /^[A-Za-z][A-Za-z0-9_-]*$/;
