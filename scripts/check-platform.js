'use strict';
// Runs before npm builds the addon: the socket calls this package binds are POSIX's, and Winsock is another API.
if (process.platform === 'win32') {
  console.error(
    'bsdsock binds the POSIX socket system calls and cannot be installed on Windows; use it on Linux, macOS or a BSD (WSL works).',
  );
  process.exit(1);
}
