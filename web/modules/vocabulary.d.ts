// The types of /assets/modules/vocabulary.js, which the daemon writes from this very module's values
// (src/edges/web/static-files.ts): the page type-checks against the server's own definitions.
export * from '../../src/edges/web/vocabulary.ts';
