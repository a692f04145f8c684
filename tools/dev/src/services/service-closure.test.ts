import { describe, expect, it } from 'vitest';
import { dependentsOf, withDependencies } from './service-closure.js';

describe('withDependencies', () => {
  it('pulls in what a named service depends on, transitively, and says which', () => {
    const closure = withDependencies(['web']);
    expect(closure.services.map((s) => s.name)).toEqual(['gateway', 'controller', 'web']);
    expect(closure.pulledIn).toEqual(['gateway', 'controller']);
  });

  it('adds nothing to a service without dependencies', () => {
    const closure = withDependencies(['gateway']);
    expect(closure.services.map((s) => s.name)).toEqual(['gateway']);
    expect(closure.pulledIn).toEqual([]);
  });
});

describe('dependentsOf', () => {
  it('lists the services that depend on the named ones, transitively', () => {
    expect(dependentsOf(['gateway']).map((s) => s.name)).toEqual(['controller', 'web']);
    expect(dependentsOf(['controller']).map((s) => s.name)).toEqual(['web']);
    expect(dependentsOf(['web'])).toEqual([]);
    expect(dependentsOf(['gateway', 'controller']).map((s) => s.name)).toEqual(['web']);
  });
});
