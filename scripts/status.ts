#!/usr/bin/env tsx
// `pnpm status` is not built yet: it must never pretend to work.
console.error('nexu dev: `pnpm status` is not built yet in this checkout.');
process.exit(1);
