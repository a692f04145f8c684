import { describe, expect, it } from 'vitest';
import { fail, ok, warn } from './doctor-check.js';
import { plainPalette, renderDoctor } from './render-doctor.js';
import { doctorExitCode } from './run-doctor.js';

const checkout = { id: 'ab12cd34', root: '/src/nexu' };

describe('renderDoctor', () => {
  it('prints each check under its group, the fix under each warn or fail, and a count', () => {
    const report = {
      checkout,
      checks: [
        warn(
          'ports.web',
          'web: port 18791 is held by pid 4242 (python3), not ours: pnpm start uses 18800 instead',
          'kill 4242',
        ),
        ok('node.version', 'node 20.19.5 (engines: >=20.19)'),
        fail(
          'watching.inotify-watches',
          'too many files',
          '`sudo sysctl fs.inotify.max_user_watches=524288`',
        ),
      ],
    };
    expect(renderDoctor(report, plainPalette)).toBe(
      [
        'Node and tools',
        '  ok    node 20.19.5 (engines: >=20.19)',
        '',
        'Ports',
        '  warn  web: port 18791 is held by pid 4242 (python3), not ours: pnpm start uses 18800 instead',
        '        fix: kill 4242',
        '',
        'Watching',
        '  fail  too many files',
        '        fix: `sudo sysctl fs.inotify.max_user_watches=524288`',
        '',
        '3 checks: 1 failed, 1 warning.',
      ].join('\n'),
    );
    expect(doctorExitCode(report)).toBe(1);
  });

  it('says all passed, and exits 0 with warnings only', () => {
    expect(renderDoctor({ checkout, checks: [ok('node.version', 'fine')] }, plainPalette)).toMatch(
      /\nAll 1 checks passed\.$/,
    );
    expect(doctorExitCode({ checkout, checks: [warn('checkout.lock', 'stale', 'nothing')] })).toBe(0);
  });
});
