/**
 * What MySeal says every time it uses the original format: the line it sends is a reusable credential.
 * Said by the daemon's log and by the CLI alike, in these words.
 */
export const LEGACY_REPLAY_WARNING =
  'legacy ECB mode: this PIN frame has no counter, challenge or authentication; anyone who records it ' +
  'can replay it to open the door. Migrate the node to MySeal (docs/migrating.md) and turn legacy mode off';
