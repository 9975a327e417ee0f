/** Where the configuration file is looked for when none is named. */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** `$XDG_CONFIG_HOME/myseal/config.yaml`, else `~/.config/myseal/config.yaml`. */
export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const xdg = env.XDG_CONFIG_HOME;
  // As for the state dir: the XDG spec says a relative XDG_CONFIG_HOME is to be ignored.
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(home, '.config');
  return join(base, 'myseal', 'config.yaml');
}
