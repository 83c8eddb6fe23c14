// Runs around every test file: the sockets open when it ends must be the
// ones open when it began.
import { newSockets, openDescriptors } from '../helpers/fds';

let before: Map<number, string>;

beforeAll(() => {
  before = openDescriptors();
});

afterAll(async () => {
  // Let Node finish closing handles a test ended (net.Socket, servers).
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(newSockets(before)).toEqual([]);
});
