import { describe, expect, it } from 'vitest';
import type { HealthAnswer } from '../health/probe-health.js';
import { answersAsOurs, parseServiceLabel, serviceLabel, whyNotOurs } from './service-identity.js';

describe('parseServiceLabel', () => {
  it('reads back what serviceLabel writes', () => {
    expect(parseServiceLabel(serviceLabel('web', '0123abcd'))).toEqual({
      service: 'web',
      checkoutId: '0123abcd',
    });
  });

  it('reads service and checkout id from a dev label', () => {
    expect(parseServiceLabel('io.nexu.controller.ab12cd34.dev')).toEqual({
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
    expect(parseServiceLabel(label)).toBeNull();
  });
});

const answer = (fields: Partial<HealthAnswer>): HealthAnswer => ({
  service: 'controller',
  pid: 100,
  instance: 'ab12cd34',
  startedAt: '2026-01-01T00:00:00.000Z',
  ...fields,
});

describe('whyNotOurs / answersAsOurs', () => {
  it("accepts the checkout's instance from the supervisor's pid", () => {
    expect(whyNotOurs(answer({}), { instance: 'ab12cd34', pid: 100 }, 18790)).toBeUndefined();
    expect(answersAsOurs({ ok: true, answer: answer({}) }, { instance: 'ab12cd34', pid: 100 })).toBe(true);
  });

  it.each<[string, Partial<HealthAnswer>, Parameters<typeof whyNotOurs>[1], string]>([
    [
      'another checkout',
      { instance: 'ffff0000' },
      { instance: 'ab12cd34' },
      'port 18790 answers for instance ffff0000',
    ],
    ['no instance', { instance: null }, { instance: 'ab12cd34' }, 'port 18790 answers for instance none'],
    [
      'another pid',
      { pid: 200 },
      { instance: 'ab12cd34', pid: 100 },
      "port 18790 answers from pid 200, not the supervisor's pid 100",
    ],
    [
      'the pid being replaced',
      {},
      { instance: 'ab12cd34', replacing: 100 },
      'port 18790 still answers from pid 100',
    ],
    [
      'not ready when readiness is asked',
      { ready: false, waitingFor: 'gateway link' },
      { instance: 'ab12cd34', ready: true },
      'it answers but is not ready (gateway link)',
    ],
  ])('refuses %s, saying why', (_, fields, expected, reason) => {
    expect(whyNotOurs(answer(fields), expected, 18790)).toBe(reason);
    expect(answersAsOurs({ ok: true, answer: answer(fields) }, expected)).toBe(false);
  });

  it('counts no answer as not ours', () => {
    expect(answersAsOurs(undefined, { instance: 'ab12cd34' })).toBe(false);
    expect(answersAsOurs({ ok: false, reason: 'ECONNREFUSED' }, { instance: 'ab12cd34' })).toBe(false);
  });
});
