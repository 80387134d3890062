// Child process for the store tests: writes settings.json through the real store.
// `loop`: updates forever (the parent kills it mid-write). `big`: one update too large for the
// file size limit the parent set, then prints the error message.
import { openDataStore } from '../../src/main/store/data-store.js';

const [mode, dir] = process.argv.slice(2);
if (!dir) throw new Error('usage: store-writer.child.ts loop|big <dir>');
const store = await openDataStore(dir);
if (mode === 'loop') {
  process.stdout.write('ready\n');
  for (let i = 0; ; i++) {
    await store.update((data) => {
      data.account.email = `user${i}@example.com`;
      data.account.userId = 'x'.repeat(20_000 + (i % 1000));
    });
  }
} else {
  try {
    await store.update((data) => {
      data.account.userId = 'y'.repeat(200_000);
    });
    process.stdout.write('no error\n');
  } catch (error) {
    process.stdout.write(`${(error as Error).name}: ${(error as Error).message}\n`);
  }
}
