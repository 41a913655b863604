// Every snapshot the adapters build from the fixtures must pass the server's own Snapshot schema
// (server/schemas.py), so a capture never ends in a 422. Runs the project's Python once.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { adapterFor, isFeedPage } from '../src/platforms/index.js';
import { FIXTURES, loadPage } from './fixtures/load.js';

const ROOT = join(FIXTURES, '..', '..', '..');
const PYTHON = join(ROOT, '.venv', 'bin', 'python');
const VALIDATE = `
import json, sys
from server.schemas import Snapshot
errors = {}
for name, snapshot in json.load(sys.stdin).items():
    try:
        Snapshot.model_validate(snapshot)
    except Exception as exc:
        errors[name] = str(exc)
print(json.dumps(errors))
`;

test("every fixture page's snapshot passes server/schemas.py Snapshot", () => {
  const snapshots = {};
  for (const platform of ['instagram', 'tiktok', 'youtube']) {
    for (const file of readdirSync(join(FIXTURES, platform)).filter((f) => f.startsWith('page-'))) {
      const page = loadPage(`${platform}/${file}`);
      const adapter = adapterFor(page.url);
      if (isFeedPage(adapter.matchUrl(page.url))) continue; // scroll pages give glance items, not a snapshot
      snapshots[`${platform}/${file}`] = adapter.buildSnapshot(page);
    }
  }
  assert.ok(Object.keys(snapshots).length >= 12);
  const run = spawnSync(PYTHON, ['-c', VALIDATE], { cwd: ROOT, input: JSON.stringify(snapshots), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), {});
});
