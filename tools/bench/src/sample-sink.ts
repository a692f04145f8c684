import type { ScenarioRow, ToolRole } from './scenario-result.js';

/** Collects samples, failures and notes per tool while a scenario runs, in first-seen order. */
export interface SampleSink {
  add(tool: string, role: ToolRole, sample: number): void;
  fail(tool: string, role: ToolRole, reason: string): void;
  note(tool: string, role: ToolRole, note: string): void;
  rows(): ScenarioRow[];
}

interface Entry {
  role: ToolRole;
  samples: number[];
  failures: number;
  notes: Set<string>;
}

/** Creates an empty sink. Failure reasons are kept as notes (deduplicated), never dropped. */
export function createSampleSink(): SampleSink {
  const entries = new Map<string, Entry>();
  const entry = (tool: string, role: ToolRole) => {
    let found = entries.get(tool);
    if (!found) {
      found = { role, samples: [], failures: 0, notes: new Set() };
      entries.set(tool, found);
    }
    return found;
  };
  return {
    add: (tool, role, sample) => void entry(tool, role).samples.push(sample),
    fail(tool, role, reason) {
      const e = entry(tool, role);
      e.failures += 1;
      e.notes.add(reason);
    },
    note: (tool, role, note) => void entry(tool, role).notes.add(note),
    rows: () =>
      [...entries].map(([tool, e]) => ({
        tool,
        role: e.role,
        samples: e.samples,
        ...(e.notes.size ? { note: [...e.notes].join('; ') } : {}),
        ...(e.failures ? { failures: e.failures } : {}),
      })),
  };
}
