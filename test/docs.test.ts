// npm run docs: the API reference, built by TypeDoc from the TSDoc of the three entry points, with the
// porting guides as pages of the site. typedoc.json makes any warning fatal, an undocumented export or
// a broken link among them; this builds it into a scratch directory (docs/reference/ is the user's)
// and checks that it printed no warning and holds what the READMEs link to.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { root, tempDir } from './helpers/build';

let out: ReturnType<typeof tempDir>;

beforeAll(() => {
  out = tempDir('docs');
});
afterAll(() => out.remove());

test('TypeDoc builds the reference with no warning: every export documented, every link resolved', () => {
  const r = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--out', out.path('reference')],
    { cwd: root, encoding: 'utf8', timeout: 170_000 },
  );
  const output = `${r.stdout}${r.stderr}`;
  expect({ status: r.status, warnings: output.split('\n').filter((l) => /warning|error/i.test(l)) }).toEqual({
    status: 0,
    warnings: [],
  });
  const site = (p: string): boolean => fs.existsSync(path.join(out.path('reference'), p));
  // The three entry points under their package names, and the porting guides in both languages.
  expect(['bsdsock', 'bsdsock_promises', 'bsdsock_libc'].filter((m) => !site(`modules/${m}.html`))).toEqual([]);
  expect(['porting', 'porting.fr'].filter((d) => !site(`documents/${d}.html`))).toEqual([]);
  // A struct the platform may lack is documented as the class it is where it is there.
  expect(site('classes/bsdsock.tcp_info.html')).toBe(true);
  // TypeDoc alone takes 10-20 s; a busy machine may take longer.
}, 180_000);

test('README.md and README.fr.md link each other, the reference and the porting guides', () => {
  const en = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const fr = fs.readFileSync(path.join(root, 'README.fr.md'), 'utf8');
  expect(en.split('\n').slice(0, 5).join('\n')).toContain('[Français](README.fr.md)');
  expect(fr.split('\n').slice(0, 5).join('\n')).toContain('[English](README.md)');
  for (const text of [en, fr]) expect(text).toContain('](docs/reference/index.html)');
  expect(en).toContain('](docs/porting.md)');
  expect(fr).toContain('](docs/porting.fr.md)');
});
