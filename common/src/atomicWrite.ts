// Replace a file so that a reader (the watcher, an editor, a crash) sees either the old or the new content,
// never half of it: write a temporary file beside it, fsync it, rename it over the original, fsync the directory.
import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';

/** `mode` defaults to the replaced file's mode (0644 for a new file); a secret file passes 0o600. */
export async function writeFileAtomic(file: string, text: string, mode?: number): Promise<void> {
  const directory = path.dirname(file);
  const temp = path.join(directory, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fileMode =
    mode ??
    (await stat(file).then(
      (s) => s.mode & 0o777,
      () => 0o644,
    ));
  const handle = await open(temp, 'w', fileMode);
  if (mode !== undefined) await handle.chmod(mode); // open() applies the umask; a secret file must be exactly this
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await syncDirectory(directory);
}

/** The rename itself is durable only once the directory entry is flushed (not supported on every platform). */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Windows and some filesystems refuse fsync on a directory; the rename is still atomic there.
  } finally {
    await handle.close();
  }
}
