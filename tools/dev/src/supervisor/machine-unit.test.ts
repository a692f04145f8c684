import { describe, expect, it } from 'vitest';
import { checkoutFieldsOf, parseDevLabel } from './machine-unit.js';

describe('parseDevLabel', () => {
  it('reads service and checkout id from a dev label', () => {
    expect(parseDevLabel('io.nexu.controller.ab12cd34.dev')).toEqual({
      service: 'controller',
      checkoutId: 'ab12cd34',
    });
  });

  it.each([
    'io.nexu.desktop',
    'io.nexu.controller.ab12cd34',
    'io.nexu.controller.ab12cd34.dev.old',
    'io.nexu.controller.AB12CD34.dev',
    'io.nexu.controller.ab12.dev',
    'com.example.controller.ab12cd34.dev',
  ])('is null for %s, which is not a nexu dev label', (label) => {
    expect(parseDevLabel(label)).toBeNull();
  });
});

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
