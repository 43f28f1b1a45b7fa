// Watches a config file for changes. The directory is watched, not the file: editors that save by writing a
// temp file and renaming it over the original replace the inode, which a file watch would lose.
import { watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';

export interface ConfigWatcher {
  close(): void;
}

export function watchConfigFile(file: string, onChange: () => void, debounceMs = 150): ConfigWatcher {
  const directory = path.dirname(path.resolve(file));
  const name = path.basename(file);
  let timer: NodeJS.Timeout | undefined;
  const watcher: FSWatcher = watch(directory, { persistent: false }, (_event, changed) => {
    // A Kubernetes ConfigMap volume swaps its `..data` symlink and never touches the file's own name.
    if (changed !== null && changed.toString() !== name && !changed.toString().startsWith('..data')) return;
    // Editors write in bursts (truncate, write, rename): act once the burst is over.
    if (timer) clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  });
  watcher.on('error', () => undefined); // the directory vanished: keep serving the last good config
  return {
    close() {
      if (timer) clearTimeout(timer);
      watcher.close();
    },
  };
}
