// pg-error-constants ships no types: a map of condition names (INVALID_TEXT_REPRESENTATION) to SQLSTATE codes (22P02).
declare module 'pg-error-constants' {
  const codes: Record<string, string>;
  export default codes;
}
