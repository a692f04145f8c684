import { describe, expect, it } from 'vitest';
import { checkoutFieldsOf } from './machine-unit.js';

describe('checkoutFieldsOf', () => {
  it('takes the marker, NEXU_DEV_ROOT and the port from the environment', () => {
    expect(
      checkoutFieldsOf({
        NEXU_DEV_INSTANCE: 'ab12cd34',
        NEXU_DEV_ROOT: '/src/nexu',
        NEXU_HOME: '/elsewhere/.tmp/dev/nexu-home',
        PORT: '18790',
      }),
    ).toEqual({ marker: 'ab12cd34', root: '/src/nexu', port: 18790 });
  });

  it('derives the root of a unit rendered before NEXU_DEV_ROOT from its NEXU_HOME', () => {
    expect(checkoutFieldsOf({ NEXU_HOME: '/src/my nexu/.tmp/dev/nexu-home' })).toEqual({
      marker: null,
      root: '/src/my nexu',
    });
  });

  it('knows no root when neither says, and no port when PORT is not one', () => {
    expect(checkoutFieldsOf({ NEXU_HOME: '/home/me/.nexu', PORT: 'x' })).toEqual({
      marker: null,
      root: null,
    });
  });
});
