import { describe, expect, it } from 'vitest';
import { classifyNodeInstall } from './node-identity.js';

describe('classifyNodeInstall', () => {
  it.each([
    ['/opt/homebrew/Cellar/node/22.9.0/bin/node', 'homebrew'],
    ['/usr/local/Cellar/node@20/20.19.0/bin/node', 'homebrew'],
    ['/opt/homebrew/opt/node/bin/node', 'homebrew'],
    ['/Users/me/.nvm/versions/node/v20.19.0/bin/node', 'nvm'],
    ['/Users/me/Library/Application Support/fnm/node-versions/v22.1.0/installation/bin/node', 'fnm'],
    ['/run/user/501/fnm_multishells/123_456/bin/node', 'fnm'],
    ['/Users/me/.volta/tools/image/node/20.19.0/bin/node', 'volta'],
    ['/home/me/.asdf/installs/nodejs/20.19.0/bin/node', 'asdf'],
    ['/home/me/.local/share/mise/installs/node/22.0.0/bin/node', 'mise'],
    ['/usr/bin/node', 'system'],
    ['/usr/local/bin/node', 'system'],
    ['/bin/node', 'system'],
    ['/tmp/x/node', 'other'],
  ])('%s is %s', (path, install) => {
    expect(classifyNodeInstall(path)).toBe(install);
  });
});
